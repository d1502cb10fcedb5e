import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, sendJson, sendOAuthError } from '../http-helpers.js';
import type { TargetState } from '../target-state.js';
import { authenticateClient } from './token.js';

/** Flaws of revocation and introspection (REV-*). */
export type RevocationFlaw = never;

/** POST /revoke (RFC 7009 §2): a client revokes its own tokens; an unknown token is a 200 too. */
export async function handleRevoke(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const form = await readForm(request);
  const client = authenticateClient(state, request, form, response);
  if (client === undefined) return;
  const token = form.get('token') ?? '';
  const refresh = state.refreshTokens.get(token);
  if (refresh !== undefined && refresh.clientId === client.clientId) state.revokedFamilies.add(refresh.family);
  const access = state.accessTokens.get(token);
  if (access !== undefined && access.clientId === client.clientId) state.accessTokens.delete(token);
  response.writeHead(200, { 'cache-control': 'no-store' }).end();
}

/** POST /introspect (RFC 7662 §2.1): only for an authenticated confidential client. */
export async function handleIntrospect(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const form = await readForm(request);
  const client = authenticateClient(state, request, form, response);
  if (client === undefined) return;
  if (client.clientSecret === undefined) return sendOAuthError(response, 401, 'invalid_client', 'introspection needs a confidential client');
  const record = state.accessTokens.get(form.get('token') ?? '');
  const active = record !== undefined && record.expiresAt > state.now() && !state.revokedFamilies.has(record.family);
  sendJson(
    response,
    200,
    active ? { active, client_id: record.clientId, scope: record.scope, aud: record.resource, exp: record.expiresAt } : { active: false },
  );
}
