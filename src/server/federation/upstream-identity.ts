import * as oauth from 'oauth4webapi';
import type { UpstreamIdentity } from './access-policy.js';
import { UpstreamError, upstreamCall } from './upstream-error.js';
import type { UpstreamExchange } from './upstream-provider.js';

/**
 * Who signed in at the provider, from a token response: the ID token's claims (OpenID Connect,
 * merged with user info when the provider has it), or the configured user info endpoint and
 * fields (plain OAuth 2.0, which has no ID token).
 */
export async function identityFrom(
  exchange: UpstreamExchange,
  as: oauth.AuthorizationServer,
  response: oauth.TokenEndpointResponse,
): Promise<UpstreamIdentity> {
  return exchange.config.oauth2 === undefined ? oidcIdentity(exchange, as, response) : oauth2Identity(exchange, exchange.config.oauth2, response);
}

async function oauth2Identity(
  exchange: UpstreamExchange,
  fields: NonNullable<UpstreamExchange['config']['oauth2']>,
  response: oauth.TokenEndpointResponse,
): Promise<UpstreamIdentity> {
  const info = await upstreamCall('user info', async () => {
    const headers = new Headers({ Accept: 'application/json', 'User-Agent': 'Portcullis' });
    const endpoint = new URL(fields.userinfoEndpoint);
    const answer = await oauth.protectedResourceRequest(
      response.access_token,
      'GET',
      endpoint,
      headers,
      null,
      exchange.requestOptions(fields.userinfoEndpoint),
    );
    if (!answer.ok) throw new UpstreamError(answer.status >= 500 ? 'unavailable' : 'invalid_response', `user info answered ${answer.status}`);
    const body: unknown = await answer.json();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UpstreamError('invalid_response', 'user info is not a JSON object');
    return body as Record<string, unknown>;
  });
  const subject = info[fields.subjectField];
  if ((typeof subject !== 'string' && typeof subject !== 'number') || String(subject) === '') {
    throw new UpstreamError('invalid_response', `user info has no ${fields.subjectField}`);
  }
  return identity(exchange.config.id, String(subject), info, fields.emailField, fields.nameField);
}

async function oidcIdentity(exchange: UpstreamExchange, as: oauth.AuthorizationServer, response: oauth.TokenEndpointResponse): Promise<UpstreamIdentity> {
  const idToken = oauth.getValidatedIdTokenClaims(response);
  if (idToken === undefined) throw new UpstreamError('invalid_response', 'no ID token');
  let claims: Record<string, unknown> = { ...idToken };
  if (as.userinfo_endpoint !== undefined) {
    // OpenID Connect Core §5.3.2: the user info `sub` must equal the ID token's.
    const { client } = exchange;
    const info = await upstreamCall('user info', async () =>
      oauth.processUserInfoResponse(
        as,
        client,
        idToken.sub,
        await oauth.userInfoRequest(as, client, response.access_token, exchange.requestOptions(as.userinfo_endpoint)),
      ),
    );
    claims = { ...claims, ...info };
  }
  return identity(exchange.config.id, idToken.sub, claims, 'email', 'name');
}

function identity(providerId: string, subject: string, claims: Record<string, unknown>, emailField: string, nameField: string): UpstreamIdentity {
  const email = claims[emailField];
  const verified = claims['email_verified'];
  const name = claims[nameField] ?? claims['preferred_username'] ?? claims['login'];
  return {
    providerId,
    subject,
    email: typeof email === 'string' && email !== '' ? email : undefined,
    emailVerified: typeof verified === 'boolean' ? verified : undefined,
    name: typeof name === 'string' && name !== '' ? name : undefined,
    claims,
  };
}
