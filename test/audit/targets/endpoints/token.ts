import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientCredentials, readForm, sendJson, sendOAuthError } from '../http-helpers.js';
import type { TargetClient, TargetState } from '../target-state.js';

/** Flaws of the token endpoint (TOK-*, RT-*). */
export type TokenFlaw = never;

const ACCESS_TOKEN_SECONDS = 3600;

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 6749 §2.3: the client, authenticated when it has a secret; undefined after an invalid_client answer. */
export function authenticateClient(state: TargetState, request: IncomingMessage, form: URLSearchParams, response: ServerResponse): TargetClient | undefined {
  const { clientId, clientSecret, basic } = clientCredentials(request, form);
  const client = state.clients.get(clientId ?? '');
  const ok = client !== undefined && (client.clientSecret === undefined || (clientSecret !== undefined && equal(clientSecret, client.clientSecret)));
  if (ok) return client;
  sendOAuthError(response, 401, 'invalid_client', 'client authentication failed', basic ? { 'www-authenticate': 'Basic realm="token"' } : {});
  return undefined;
}

function issueTokens(state: TargetState, response: ServerResponse, grant: { clientId: string; resource: string; scope: string; family: string }): string {
  const accessToken = randomBytes(32).toString('base64url');
  const refreshToken = randomBytes(32).toString('base64url');
  state.issuedSecrets.push(accessToken, refreshToken);
  state.accessTokens.set(accessToken, { ...grant, expiresAt: state.now() + ACCESS_TOKEN_SECONDS });
  state.refreshTokens.set(refreshToken, { ...grant, spent: false });
  sendJson(response, 200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_SECONDS,
    refresh_token: refreshToken,
    scope: grant.scope,
  });
  return accessToken;
}

/** POST /token: the authorization code grant with PKCE (RFC 7636 §4.6) and refresh with rotation (RFC 9700 §4.14.2). */
export async function handleToken(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const form = await readForm(request);
  const client = authenticateClient(state, request, form, response);
  if (client === undefined) return;
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') return redeemCode(state, client, form, response);
  if (grantType === 'refresh_token') return refresh(state, client, form, response);
  sendOAuthError(response, 400, 'unsupported_grant_type');
}

function redeemCode(state: TargetState, client: TargetClient, form: URLSearchParams, response: ServerResponse): void {
  const code = state.codes.get(form.get('code') ?? '');
  if (code === undefined) return sendOAuthError(response, 400, 'invalid_grant', 'unknown code');
  if (code.used) {
    // RFC 6749 §4.1.2: a replayed code revokes what was issued from it.
    for (const token of code.issued) state.accessTokens.delete(token);
    return sendOAuthError(response, 400, 'invalid_grant', 'code already used');
  }
  // Spent before any check, so a failed attempt burns it (no guessing the verifier).
  code.used = true;
  if (code.clientId !== client.clientId || code.expiresAt <= state.now()) return sendOAuthError(response, 400, 'invalid_grant');
  const redirectUri = form.get('redirect_uri');
  if (redirectUri !== null && redirectUri !== code.redirectUri) return sendOAuthError(response, 400, 'invalid_grant', 'redirect_uri differs');
  const verifier = form.get('code_verifier');
  if (verifier === null || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return sendOAuthError(response, 400, 'invalid_grant', 'code_verifier');
  if (code.codeChallenge === undefined || !equal(createHash('sha256').update(verifier).digest('base64url'), code.codeChallenge)) {
    return sendOAuthError(response, 400, 'invalid_grant', 'PKCE verification failed');
  }
  const resource = form.get('resource');
  if (resource !== null && resource !== code.resource) return sendOAuthError(response, 400, 'invalid_target');
  code.issued.push(
    issueTokens(state, response, { clientId: client.clientId, resource: code.resource, scope: code.scope, family: randomBytes(8).toString('hex') }),
  );
}

function refresh(state: TargetState, client: TargetClient, form: URLSearchParams, response: ServerResponse): void {
  const presented = form.get('refresh_token') ?? '';
  const record = state.refreshTokens.get(presented);
  if (record === undefined || record.clientId !== client.clientId || state.revokedFamilies.has(record.family))
    return sendOAuthError(response, 400, 'invalid_grant');
  if (record.spent) {
    // RFC 9700 §4.14.2: reuse of a rotated refresh token revokes the whole family.
    state.revokedFamilies.add(record.family);
    return sendOAuthError(response, 400, 'invalid_grant', 'refresh token reused');
  }
  const scope = form.get('scope') ?? record.scope;
  if (scope.split(' ').some((s) => !record.scope.split(' ').includes(s))) return sendOAuthError(response, 400, 'invalid_scope');
  const resource = form.get('resource');
  if (resource !== null && resource !== record.resource) return sendOAuthError(response, 400, 'invalid_target');
  record.spent = true;
  issueTokens(state, response, { clientId: client.clientId, resource: record.resource, scope, family: record.family });
}
