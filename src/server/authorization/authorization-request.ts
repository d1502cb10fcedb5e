import { AuthorizationError, OAuthError } from '../../core/errors.js';
import { isValidCodeChallenge } from '../../core/pkce.js';
import { redirectUriMatches } from '../../core/redirect-uri.js';
import { findResource } from '../../core/resource-uri.js';
import { isScopeSubset, parseScope } from '../../core/scopes.js';
import type { ClientRecord } from '../../store/types.js';
import type { ServerContext } from '../context.js';

/** A validated authorization request, as kept between the login and consent pages. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string;
  scope: string[];
  resource: string;
  /**
   * Set after an upstream sign-in: the id the grant will have, under which the upstream tokens
   * were already stored.
   */
  grantId?: string;
}

const MAX_PARAMETER_LENGTH = 4096;

/**
 * Validates an authorization request. Until the client and redirect URI are known to be good, an
 * error carries no redirect and is shown as a page (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2,
 * docs/design.md invariant 3); after that, errors go back to the client with `state` and `iss`.
 */
export async function validateAuthorizationRequest(
  ctx: ServerContext,
  params: Record<string, string>,
): Promise<{ client: ClientRecord; request: AuthorizationRequest }> {
  for (const [key, value] of Object.entries(params)) {
    if (value.length > MAX_PARAMETER_LENGTH) throw new AuthorizationError('invalid_request', `The ${key.length <= 40 ? key : 'a'} parameter is too long.`);
  }
  const clientId = params['client_id'];
  if (clientId === undefined || clientId === '') throw new AuthorizationError('invalid_request', 'The request has no client_id.');
  let client: ClientRecord | undefined;
  try {
    client = await ctx.resolveClient(clientId);
  } catch (error) {
    if (error instanceof OAuthError) throw new AuthorizationError('invalid_client', error.description, undefined, { detail: error.detail ?? '' });
    throw error;
  }
  if (client === undefined) throw new AuthorizationError('invalid_client', 'This application is not registered with this server.');

  // OAuth 2.1 §4.1.1 lets a client with one registered redirect URI omit it; this server always
  // requires it, so the token request can always be held to the identical value (§4.1.3).
  const redirectUri = params['redirect_uri'];
  if (redirectUri === undefined) throw new AuthorizationError('invalid_request', 'The request has no redirect_uri.');
  if (!client.redirectUris.some((registered) => redirectUriMatches(redirectUri, registered))) {
    throw new AuthorizationError('invalid_request', 'The redirect_uri is not registered for this application.');
  }

  const state = params['state'];
  const fail = (code: ConstructorParameters<typeof AuthorizationError>[0], description: string) =>
    new AuthorizationError(code, description, { redirectUri, state });

  if (params['response_type'] !== 'code') {
    throw params['response_type'] === undefined
      ? fail('invalid_request', 'response_type is required.')
      : fail('unsupported_response_type', 'Only response_type=code is supported.');
  }
  if (params['request'] !== undefined || params['request_uri'] !== undefined) {
    throw fail('invalid_request', 'Request objects are not supported.');
  }
  if (!client.grantTypes.includes('authorization_code')) throw fail('unauthorized_client', 'This client may not use the authorization code grant.');

  // PKCE is required and only S256 is accepted (OAuth 2.1 §4.1.1, RFC 7636 §4.3; invariant 1).
  const codeChallenge = params['code_challenge'];
  if (codeChallenge === undefined) throw fail('invalid_request', 'code_challenge is required (PKCE).');
  if (params['code_challenge_method'] !== 'S256') throw fail('invalid_request', 'code_challenge_method must be S256.');
  if (!isValidCodeChallenge(codeChallenge)) throw fail('invalid_request', 'code_challenge must be 43 base64url characters.');

  const requested = parseScope(params['scope']);
  if (requested === null) throw fail('invalid_scope', 'The scope parameter is malformed.');
  const scope = requested.length > 0 ? requested : [...(client.scope ?? ctx.config.defaultScopes)].filter((s) => s in ctx.config.scopes);
  if (!isScopeSubset(scope, Object.keys(ctx.config.scopes))) throw fail('invalid_scope', 'The request asks for a scope this server does not offer.');
  // A pre-registered client is held to the scopes its operator gave it. A self-registered one
  // (RFC 7591, or a metadata document) asserted its `scope` itself, so holding it there protects
  // nothing (it could register again) while it would break the MCP step-up, where a client
  // registered with the 401's scope must ask for more after a 403 (MCP Authorization, "Scope
  // Challenge Handling"): the user's consent to the scopes shown is the control.
  if (client.source === 'static' && client.scope !== null && !isScopeSubset(scope, client.scope)) {
    throw fail('invalid_scope', 'The request asks for a scope this client may not use.');
  }

  // RFC 8707 §2: the resource must be one this server knows; without one, the default resource.
  const resourceParam = params['resource'];
  const resource = resourceParam === undefined ? ctx.config.resources[0]! : findResource(ctx.config, resourceParam);
  if (resource === undefined) throw fail('invalid_target', 'The requested resource is not protected by this server.');

  return { client, request: { clientId: client.clientId, redirectUri, state, codeChallenge, scope, resource: resource.uri } };
}

/**
 * Builds the redirect back to the client: the response parameters plus `iss` (RFC 9207 §2) and
 * the unchanged `state` (RFC 6749 §4.1.2), appended to any query the redirect URI has.
 */
export function authorizationResponseUrl(ctx: ServerContext, redirectUri: string, state: string | undefined, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  if (state !== undefined) url.searchParams.set('state', state);
  url.searchParams.set('iss', ctx.config.issuer);
  return url.href;
}
