import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, sendJson, sendOAuthError } from '../http-helpers.js';
import { has, type TargetState } from '../target-state.js';
import { authenticateClient } from './token.js';

/**
 * Flaws of revocation and introspection (REV-*).
 * - `revoke-unknown-token-400`: revoking a token the server does not know is a 400 (REV-02);
 * - `introspection-without-auth`: introspection answers a caller that sends no credentials (REV-03);
 * - `introspection-for-public-clients`: introspection answers a public client, which proves nothing (REV-03);
 * - `revoke-other-clients-token`: a client revokes any client's tokens (REV-01);
 * - `revoked-token-accepted`: revoking an access token answers 200 and changes nothing (RS-06).
 */
export type RevocationFlaw =
  | 'revoke-unknown-token-400'
  | 'introspection-without-auth'
  | 'introspection-for-public-clients'
  | 'revoke-other-clients-token'
  | 'revoked-token-accepted';

/** POST /revoke (RFC 7009 §2): a client revokes its own tokens; an unknown token is a 200 too. */
export async function handleRevoke(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const form = await readForm(request);
  const client = authenticateClient(state, request, form, response);
  if (client === undefined) return;
  const token = form.get('token') ?? '';
  if (has(state, 'revoke-unknown-token-400') && !state.refreshTokens.has(token) && !state.accessTokens.has(token)) {
    return sendOAuthError(response, 400, 'invalid_request', 'unknown token');
  }
  const anyClient = has(state, 'revoke-other-clients-token');
  const refresh = state.refreshTokens.get(token);
  if (refresh !== undefined && (refresh.clientId === client.clientId || anyClient)) state.revokedFamilies.add(refresh.family);
  const access = state.accessTokens.get(token);
  if (access !== undefined && (access.clientId === client.clientId || anyClient) && !has(state, 'revoked-token-accepted')) state.accessTokens.delete(token);
  response.writeHead(200, { 'cache-control': 'no-store' }).end();
}

/** POST /introspect (RFC 7662 §2.1): only for an authenticated confidential client. */
export async function handleIntrospect(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const form = await readForm(request);
  const anonymous = has(state, 'introspection-without-auth') && request.headers.authorization === undefined && !form.has('client_id');
  if (!anonymous) {
    const client = authenticateClient(state, request, form, response);
    if (client === undefined) return;
    if (client.clientSecret === undefined && !has(state, 'introspection-for-public-clients')) {
      return sendOAuthError(response, 401, 'invalid_client', 'introspection needs a confidential client');
    }
  }
  const record = state.accessTokens.get(form.get('token') ?? '');
  const active = record !== undefined && record.expiresAt > state.now() && !state.revokedFamilies.has(record.family);
  sendJson(
    response,
    200,
    active ? { active, client_id: record.clientId, scope: record.scope, aud: record.resource, exp: record.expiresAt } : { active: false },
  );
}
