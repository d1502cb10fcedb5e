import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sendOAuthError } from '../http-helpers.js';
import { has, type TargetState } from '../target-state.js';

/**
 * Flaws of dynamic client registration (REG-*).
 * - `dcr-accepts-javascript-redirect`: a `javascript:` redirect URI is registered (REG-01);
 * - `dcr-checks-first-redirect-only`: only the first redirect URI is checked (REG-01);
 * - `dcr-accepts-http-redirect`: a plain `http://` redirect URI on any host is registered (REG-02);
 * - `dcr-accepts-empty-redirects`: a client with an empty or no `redirect_uris` is registered (REG-03);
 * - `dcr-static-client`: every registration gets the same client, its redirect URIs added, and deleting it keeps it (REG-04);
 * - `dcr-accepts-implicit`: the `implicit` grant type and the `token` response type are registered (REG-05);
 * - `dcr-no-rate-limit`: registration is never rate-limited (REG-06);
 * - `dcr-requires-application-type`: a registration without `application_type` is refused (REG-07, a warning);
 * - `dcr-no-management`: no RFC 7592 `registration_access_token` or `registration_client_uri` (REG-07, info).
 */
export type RegisterFlaw =
  | 'dcr-accepts-javascript-redirect'
  | 'dcr-checks-first-redirect-only'
  | 'dcr-accepts-http-redirect'
  | 'dcr-accepts-empty-redirects'
  | 'dcr-static-client'
  | 'dcr-accepts-implicit'
  | 'dcr-no-rate-limit'
  | 'dcr-requires-application-type'
  | 'dcr-no-management';

const GRANTS = new Set(['authorization_code', 'refresh_token']);
const AUTH_METHODS = new Set(['none', 'client_secret_basic', 'client_secret_post']);
/** Registrations allowed per window of the target's clock (RFC 7591 §5 lets a server limit them). */
const REGISTRATIONS_PER_WINDOW = 20;
const WINDOW_SECONDS = 3600;
/** The client every registration gets under `dcr-static-client`. */
const STATIC_CLIENT_ID = 'static-mcp-client';
/** Browser-based clients register from any origin; registration carries no credentials. */
const CORS = { 'access-control-allow-origin': '*' };

/** Registrations seen, by target, for the rate limit. */
const registrationTimes = new WeakMap<TargetState, number[]>();

/** The clients registered within the window (refused registrations are not counted, as in Portcullis). */
function recentRegistrations(state: TargetState): number[] {
  const now = state.now();
  const recent = (registrationTimes.get(state) ?? []).filter((time) => time > now - WINDOW_SECONDS);
  registrationTimes.set(state, recent);
  return recent;
}

/** OAuth 2.1 §2.3: https, or http on a loopback address (RFC 8252 §7.3); no fragment. */
function isAcceptableRedirectUri(state: TargetState, value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'javascript:' && has(state, 'dcr-accepts-javascript-redirect')) return true;
  if (url.protocol === 'http:' && has(state, 'dcr-accepts-http-redirect')) return true;
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
    // A static client outlives every registration that was handed it.
    if (!has(state, 'dcr-static-client')) state.clients.delete(clientId);
    response.writeHead(204).end();
    return;
  }
  if (!has(state, 'dcr-no-rate-limit') && recentRegistrations(state).length >= REGISTRATIONS_PER_WINDOW)
    return sendOAuthError(response, 429, 'temporarily_unavailable', 'too many registrations', { 'retry-after': '60', ...CORS });
  let metadata: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(await readBody(request));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    metadata = parsed as Record<string, unknown>;
  } catch {
    return sendOAuthError(response, 400, 'invalid_client_metadata', 'not a JSON object', CORS);
  }
  const refusal = metadataRefusal(state, metadata);
  if (refusal !== undefined) return sendOAuthError(response, 400, refusal.error, refusal.description, CORS);
  recentRegistrations(state).push(state.now());
  const redirectUris = (metadata['redirect_uris'] as string[] | undefined) ?? [];
  const method = (metadata['token_endpoint_auth_method'] as string | undefined) ?? 'client_secret_basic';
  const existing = has(state, 'dcr-static-client') ? state.clients.get(STATIC_CLIENT_ID) : undefined;
  const clientId = has(state, 'dcr-static-client') ? STATIC_CLIENT_ID : randomBytes(16).toString('hex');
  const clientSecret = existing !== undefined ? existing.clientSecret : method === 'none' ? undefined : randomBytes(32).toString('base64url');
  const registrationAccessToken = existing?.registrationAccessToken ?? randomBytes(32).toString('base64url');
  if (existing === undefined) state.issuedSecrets.push(registrationAccessToken, ...(clientSecret !== undefined ? [clientSecret] : []));
  const clientName = typeof metadata['client_name'] === 'string' ? metadata['client_name'] : undefined;
  state.clients.set(clientId, {
    clientId,
    clientSecret,
    clientName,
    redirectUris: [...(existing?.redirectUris ?? []), ...redirectUris],
    registrationAccessToken,
  });
  const management = has(state, 'dcr-no-management')
    ? {}
    : { registration_access_token: registrationAccessToken, registration_client_uri: `${state.origin}/register/${clientId}` };
  sendJson(
    response,
    201,
    {
      ...metadata,
      client_id: clientId,
      ...(clientSecret !== undefined ? { client_secret: clientSecret } : {}),
      token_endpoint_auth_method: method,
      ...management,
    },
    CORS,
  );
}

/** Why client metadata is refused (RFC 7591 §3.2.2), or undefined when it is registered. */
function metadataRefusal(state: TargetState, metadata: Record<string, unknown>): { error: string; description: string } | undefined {
  const redirectUris = metadata['redirect_uris'];
  const emptyAllowed = has(state, 'dcr-accepts-empty-redirects') && (redirectUris === undefined || (Array.isArray(redirectUris) && redirectUris.length === 0));
  if (!emptyAllowed) {
    if (!Array.isArray(redirectUris) || redirectUris.length === 0) return { error: 'invalid_redirect_uri', description: 'redirect_uris is required' };
    const checked = has(state, 'dcr-checks-first-redirect-only') ? redirectUris.slice(0, 1) : redirectUris;
    if (!checked.every((uri) => isAcceptableRedirectUri(state, uri))) {
      return { error: 'invalid_redirect_uri', description: 'redirect_uris must be https or loopback http URIs' };
    }
  }
  const allowedGrants = has(state, 'dcr-accepts-implicit') ? new Set([...GRANTS, 'implicit']) : GRANTS;
  const grants = (metadata['grant_types'] as unknown[] | undefined) ?? ['authorization_code'];
  if (!Array.isArray(grants) || grants.some((grant) => typeof grant !== 'string' || !allowedGrants.has(grant)))
    return { error: 'invalid_client_metadata', description: 'grant_types' };
  const allowedResponseTypes = has(state, 'dcr-accepts-implicit') ? ['code', 'token'] : ['code'];
  const responseTypes = (metadata['response_types'] as unknown[] | undefined) ?? ['code'];
  if (!Array.isArray(responseTypes) || responseTypes.some((type) => typeof type !== 'string' || !allowedResponseTypes.includes(type)))
    return { error: 'invalid_client_metadata', description: 'response_types' };
  const method = metadata['token_endpoint_auth_method'] ?? 'client_secret_basic';
  if (typeof method !== 'string' || !AUTH_METHODS.has(method)) return { error: 'invalid_client_metadata', description: 'token_endpoint_auth_method' };
  if (has(state, 'dcr-requires-application-type') && metadata['application_type'] === undefined)
    return { error: 'invalid_client_metadata', description: 'application_type is required' };
  return undefined;
}
