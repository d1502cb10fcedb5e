import * as oauth from 'oauth4webapi';
import { isAllowedEndpoint, isLoopbackHttpUrl } from '../core/plain-http.js';
import type { AuditClient } from './facts/client.js';
import type { ProbeResponse } from './guarded-fetch.js';
import type { Probe } from './probe.js';
import { clientAuthentication } from './registration.js';
import { NotReachedError } from './verdict.js';

/**
 * The token endpoint of the authorization server, or NotReached: none, or one on plain http for an
 * https issuer (no client credential, code or verifier is ever sent there).
 * @see OAuth 2.1 §1.5
 */
export async function tokenEndpoint(probe: Probe): Promise<string> {
  const { issuer, metadata } = await probe.fact('authorizationServer');
  const endpoint = metadata['token_endpoint'];
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) throw new NotReachedError('token', 'the metadata has no usable token_endpoint');
  if (!URL.canParse(issuer) || !isAllowedEndpoint(new URL(endpoint), new URL(issuer))) {
    throw new NotReachedError('token', `the token_endpoint ${endpoint} is plain http: no client credentials are sent there`);
  }
  return endpoint;
}

/**
 * A hand-built token request (for the deliberately wrong ones): `parameters` as given, the client
 * authenticated as it registered (HTTP Basic or the form, RFC 6749 §2.3.1), unless `authenticate`
 * is false. Every token, code and secret in the answer is remembered for redaction.
 */
export async function sendTokenRequest(
  probe: Probe,
  client: AuditClient,
  parameters: readonly (readonly [string, string])[],
  authenticate = true,
): Promise<ProbeResponse> {
  const body = new URLSearchParams(parameters.map(([name, value]) => [name, value]));
  const credentials = clientAuthentication(authenticate ? client : { ...client, clientSecret: undefined, authMethod: 'none' });
  for (const [name, value] of credentials.parameters) if (!body.has(name)) body.set(name, value);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...credentials.headers };
  const response = await probe.fetch(await tokenEndpoint(probe), { method: 'POST', headers, body });
  rememberTokens(probe, response);
  return response;
}

/** Remembers the secrets of a token response, so no report shows them. */
export function rememberTokens(probe: Probe, response: ProbeResponse): void {
  const body = response.json();
  if (typeof body !== 'object' || body === null) return;
  for (const name of ['access_token', 'refresh_token', 'id_token']) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === 'string') probe.remember(value);
  }
}

/** The OAuth error code of a response, or undefined. */
export function oauthErrorOf(response: ProbeResponse): string | undefined {
  const body = response.json();
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  return typeof error === 'string' ? error : undefined;
}

/**
 * oauth4webapi's view of the server and client, for the compliant path: its requests go through
 * the guarded fetch (`customFetch`), and plain http is allowed only for a loopback server.
 */
export async function compliantClient(probe: Probe, client: AuditClient, onResponse?: (response: ProbeResponse) => void) {
  const { metadata, issuer } = await probe.fact('authorizationServer');
  const as = { ...metadata, issuer: typeof metadata['issuer'] === 'string' ? metadata['issuer'] : issuer } as oauth.AuthorizationServer;
  const clientAuth =
    client.clientSecret === undefined
      ? oauth.None()
      : client.authMethod === 'client_secret_post'
        ? oauth.ClientSecretPost(client.clientSecret)
        : oauth.ClientSecretBasic(client.clientSecret);
  const options = {
    [oauth.customFetch]: async (url: string, init: { body?: unknown; headers: Record<string, string>; method: string }) => {
      const body = init.body instanceof URLSearchParams ? init.body : typeof init.body === 'string' ? init.body : undefined;
      const response = await probe.fetch(url, { method: init.method, headers: init.headers, ...(body !== undefined ? { body } : {}) });
      rememberTokens(probe, response);
      onResponse?.(response);
      return new Response(response.status === 204 || response.status === 304 ? null : response.text, { status: response.status, headers: response.headers });
    },
    ...(isLoopbackHttpUrl(new URL(issuer)) ? { [oauth.allowInsecureRequests]: true } : {}),
  };
  return { as, client: { client_id: client.clientId } as oauth.Client, clientAuth, options };
}
