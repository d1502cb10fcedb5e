import * as oauth from 'oauth4webapi';
import { canonicalResource } from '../../core/resource-uri.js';
import type { ProbeResponse } from '../guarded-fetch.js';
import { type Authorization, authorizeForCode } from '../login/authorize.js';
import type { Probe } from '../probe.js';
import { compliantClient } from '../token-request.js';
import { NotReachedError } from '../verdict.js';

export interface TokenBaseline {
  readonly authorization: Authorization & { readonly code: string };
  /** The token response as oauth4webapi accepted it. */
  readonly tokens: oauth.TokenEndpointResponse;
  /** The token endpoint's answer as it came. */
  readonly response: ProbeResponse;
}

/**
 * The compliant flow once, done with oauth4webapi: the baseline authorization (PKCE S256, state,
 * resource) through the browser, the response checked (`state`, RFC 9207 `iss`), and the code
 * redeemed with the verifier and the resource. Every logged-in check needs it; when it fails the
 * audit is incomplete (TOK-01).
 * @see OAuth 2.1 §4.1; RFC 7636 §4.5; RFC 8707 §2.2; RFC 9207 §2.4
 */
export async function obtainTokenBaseline(probe: Probe): Promise<TokenBaseline> {
  const authorization = await authorizeForCode(probe);
  const client = await probe.fact('client');
  let response: ProbeResponse | undefined;
  const {
    as,
    client: oauthClient,
    clientAuth,
    options,
  } = await compliantClient(probe, client, (answer) => {
    response = answer;
  });
  try {
    const parameters = oauth.validateAuthResponse(as, oauthClient, authorization.completed.callback, authorization.request.state);
    const answer = await oauth.authorizationCodeGrantRequest(
      as,
      oauthClient,
      clientAuth,
      parameters,
      authorization.request.redirectUri,
      authorization.request.verifier,
      {
        ...options,
        additionalParameters: { resource: canonicalResource(probe.settings.target.href) },
      },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, oauthClient, answer);
    return { authorization, tokens, response: response! };
  } catch (error) {
    throw new NotReachedError('token', `the compliant flow failed: ${(error as Error).message}`);
  }
}
