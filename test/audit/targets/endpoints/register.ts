import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sendOAuthError } from '../http-helpers.js';
import type { TargetState } from '../target-state.js';

/** Flaws of dynamic client registration (REG-*). */
export type RegisterFlaw = never;

const GRANTS = new Set(['authorization_code', 'refresh_token']);
const AUTH_METHODS = new Set(['none', 'client_secret_basic', 'client_secret_post']);

/** OAuth 2.1 §2.3: https, or http on a loopback address (RFC 8252 §7.3); no fragment. */
function isAcceptableRedirectUri(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.hash !== '' || url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost');
}

/** POST /register (RFC 7591 §3) and DELETE /register/<client_id> (RFC 7592 §2.3). */
export async function handleRegister(state: TargetState, request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> {
  if (request.method === 'DELETE') {
    const clientId = decodeURIComponent(url.pathname.slice('/register/'.length));
    const client = state.clients.get(clientId);
    if (client === undefined || request.headers.authorization !== `Bearer ${client.registrationAccessToken}`)
      return sendOAuthError(response, 401, 'invalid_token');
    state.clients.delete(clientId);
    response.writeHead(204).end();
    return;
  }
  let metadata: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(await readBody(request));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    metadata = parsed as Record<string, unknown>;
  } catch {
    return sendOAuthError(response, 400, 'invalid_client_metadata', 'not a JSON object');
  }
  const redirectUris = metadata['redirect_uris'];
  if (!Array.isArray(redirectUris) || redirectUris.length === 0 || !redirectUris.every(isAcceptableRedirectUri)) {
    return sendOAuthError(response, 400, 'invalid_redirect_uri', 'redirect_uris must be https or loopback http URIs');
  }
  const grants = (metadata['grant_types'] as unknown[] | undefined) ?? ['authorization_code'];
  if (!Array.isArray(grants) || grants.some((grant) => typeof grant !== 'string' || !GRANTS.has(grant)))
    return sendOAuthError(response, 400, 'invalid_client_metadata', 'grant_types');
  const responseTypes = (metadata['response_types'] as unknown[] | undefined) ?? ['code'];
  if (!Array.isArray(responseTypes) || responseTypes.some((type) => type !== 'code'))
    return sendOAuthError(response, 400, 'invalid_client_metadata', 'response_types');
  const method = (metadata['token_endpoint_auth_method'] as string | undefined) ?? 'client_secret_basic';
  if (!AUTH_METHODS.has(method)) return sendOAuthError(response, 400, 'invalid_client_metadata', 'token_endpoint_auth_method');
  const clientId = randomBytes(16).toString('hex');
  const clientSecret = method === 'none' ? undefined : randomBytes(32).toString('base64url');
  const registrationAccessToken = randomBytes(32).toString('base64url');
  state.issuedSecrets.push(registrationAccessToken, ...(clientSecret !== undefined ? [clientSecret] : []));
  state.clients.set(clientId, { clientId, clientSecret, redirectUris: redirectUris as string[], registrationAccessToken });
  sendJson(response, 201, {
    ...metadata,
    client_id: clientId,
    ...(clientSecret !== undefined ? { client_secret: clientSecret } : {}),
    token_endpoint_auth_method: method,
    registration_access_token: registrationAccessToken,
    registration_client_uri: `${state.origin}/register/${clientId}`,
  });
}
