import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientCredentials, readForm, sendErrorPage, sendJson, sendOAuthError } from '../http-helpers.js';
import { has, type TargetClient, type TargetState } from '../target-state.js';

/**
 * Flaws of the token endpoint (TOK-*, RT-*).
 * - `code-grant-broken`: every authorization code redemption fails with a 500 (TOK-01: the compliant flow cannot finish);
 * - `token-response-cacheable`: token responses carry no `Cache-Control: no-store` (TOK-02);
 * - `token-checks-grant-first`: a code is looked up before the client is authenticated, so an
 *   unknown code is `invalid_grant` for anyone, known client or not (TOK-13);
 * - `token-secret-not-checked`: a confidential client's secret is not compared (TOK-13);
 * - `token-basic-error-400`: `invalid_client` is a 400 without a challenge, HTTP Basic or not (TOK-13, Low);
 * - `token-error-200`: an unsupported `grant_type` is answered 200 with an error body (TOK-14);
 * - `token-error-description-crlf`: that error's `error_description` carries CR LF (TOK-14);
 * - `token-error-not-json`: that error is an HTML page (TOK-14);
 * - `code-replay-accepted`: a code that was redeemed is redeemed again (TOK-03);
 * - `replay-keeps-tokens`: a replayed code is refused, but the first use's tokens stay good (TOK-03, a warning);
 * - `verifier-not-checked`: the verifier's digest is not compared with the challenge (TOK-04);
 * - `failed-verifier-keeps-code`: a failed PKCE comparison leaves the code redeemable (TOK-05);
 * - `verifier-optional`: a redemption without `code_verifier` skips PKCE (TOK-06);
 * - `verifier-without-challenge-accepted`: a code issued without a challenge (the authorization
 *   endpoint's `pkce-optional`) is redeemed with any verifier (TOK-07);
 * - `verifier-format-unchecked`: a verifier of any length and alphabet is taken when its digest matches (TOK-08);
 * - `long-lived-code`: codes are redeemable for 15 minutes, not 60 s (TOK-09);
 * - `code-not-bound-to-client`: any client may redeem a code (TOK-10);
 * - `token-ignores-redirect-uri`: the token request's `redirect_uri` is not compared (TOK-11);
 * - `token-ignores-resource`: tokens are issued for the resource the token request names (TOK-12);
 * - `long-lived-access-token`: access tokens live a year (TOK-15);
 * - `refresh-not-rotated`: a refresh returns the same refresh token, which stays good (RT-01);
 * - `refresh-reuse-not-detected`: a rotated-out refresh token is refused, but its family lives on (RT-02);
 * - `refresh-client-unbound`: any client may use a refresh token (RT-03);
 * - `refresh-scope-widening`: a refresh grants whatever scope it asks for (RT-04);
 * - `refresh-foreign-resource`: a refresh issues for the resource it names (RT-05);
 * - `refresh-error-500`: a revoked family's refresh token is answered 500 (RT-06);
 * - `refresh-not-atomic`: a rotation checks, waits, then writes, so two concurrent refreshes both win (RT-07).
 */
export type TokenFlaw =
  | 'code-grant-broken'
  | 'token-response-cacheable'
  | 'token-checks-grant-first'
  | 'token-secret-not-checked'
  | 'token-basic-error-400'
  | 'token-error-200'
  | 'token-error-description-crlf'
  | 'token-error-not-json'
  | 'code-replay-accepted'
  | 'replay-keeps-tokens'
  | 'verifier-not-checked'
  | 'failed-verifier-keeps-code'
  | 'verifier-optional'
  | 'verifier-without-challenge-accepted'
  | 'verifier-format-unchecked'
  | 'long-lived-code'
  | 'code-not-bound-to-client'
  | 'token-ignores-redirect-uri'
  | 'token-ignores-resource'
  | 'long-lived-access-token'
  | 'refresh-not-rotated'
  | 'refresh-reuse-not-detected'
  | 'refresh-client-unbound'
  | 'refresh-scope-widening'
  | 'refresh-foreign-resource'
  | 'refresh-error-500'
  | 'refresh-not-atomic';

// A form a correct target may take that is not a flaw (see TargetOptions in target-state.ts).
declare module '../target-state.js' {
  interface TargetOptions {
    /**
     * A `resource` at the token endpoint (code or refresh) other than the authorized one is
     * ignored, and tokens are issued for the authorized resource: RFC 8707 §2.2 allows it (TOK-12
     * and RT-05 must pass).
     */
    readonly tokenResourceIgnored?: boolean;
  }
}

const ACCESS_TOKEN_SECONDS = 3600;

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * RFC 6749 §2.3: the client, authenticated when it has a secret; undefined after an invalid_client
 * answer (401, with a Basic challenge when HTTP Basic was used: §5.2). `at` says which endpoint
 * asks: the token endpoint's flaws apply only there.
 */
export function authenticateClient(
  state: TargetState,
  request: IncomingMessage,
  form: URLSearchParams,
  response: ServerResponse,
  at: 'token' | 'revocation' = 'revocation',
): TargetClient | undefined {
  const { clientId, clientSecret, basic } = clientCredentials(request, form);
  const client = state.clients.get(clientId ?? '');
  const secretChecked = !(at === 'token' && has(state, 'token-secret-not-checked'));
  const secretOk = client?.clientSecret === undefined || !secretChecked || (clientSecret !== undefined && equal(clientSecret, client.clientSecret));
  if (client !== undefined && secretOk) return client;
  if (at === 'token' && has(state, 'token-basic-error-400')) sendOAuthError(response, 400, 'invalid_client', 'client authentication failed');
  else sendOAuthError(response, 401, 'invalid_client', 'client authentication failed', basic ? { 'www-authenticate': 'Basic realm="token"' } : {});
  return undefined;
}

/** Issues an access token and a new refresh token (or hands back `keptRefreshToken`, unrotated). */
function issueTokens(
  state: TargetState,
  response: ServerResponse,
  grant: { clientId: string; resource: string; scope: string; family: string },
  keptRefreshToken?: string,
): string {
  const accessToken = randomBytes(32).toString('base64url');
  const refreshToken = keptRefreshToken ?? randomBytes(32).toString('base64url');
  const lifetime = has(state, 'long-lived-access-token') ? 365 * 86_400 : ACCESS_TOKEN_SECONDS;
  state.issuedSecrets.push(accessToken, refreshToken);
  state.accessTokens.set(accessToken, { ...grant, expiresAt: state.now() + lifetime });
  if (keptRefreshToken === undefined) state.refreshTokens.set(refreshToken, { ...grant, spent: false });
  const body = { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, refresh_token: refreshToken, scope: grant.scope };
  sendJson(response, 200, body, has(state, 'token-response-cacheable') ? { 'cache-control': 'max-age=60' } : {});
  return accessToken;
}

/** POST /token: the authorization code grant with PKCE (RFC 7636 §4.6) and refresh with rotation (RFC 9700 §4.14.2). */
export async function handleToken(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const form = await readForm(request);
  const grantType = form.get('grant_type');
  if (has(state, 'token-checks-grant-first') && grantType === 'authorization_code' && !state.codes.has(form.get('code') ?? '')) {
    return sendOAuthError(response, 400, 'invalid_grant', 'unknown code');
  }
  const client = authenticateClient(state, request, form, response, 'token');
  if (client === undefined) return;
  if (grantType === 'authorization_code') return redeemCode(state, client, form, response);
  if (grantType === 'refresh_token') return refresh(state, client, form, response);
  if (grantType === null) return sendOAuthError(response, 400, 'invalid_request', 'grant_type is required');
  refuseUnsupportedGrant(state, response);
}

/** RFC 6749 §5.2: 400 `unsupported_grant_type`, as JSON (unless a TOK-14 flaw says otherwise). */
function refuseUnsupportedGrant(state: TargetState, response: ServerResponse): void {
  if (has(state, 'token-error-not-json')) return sendErrorPage(response, 400, 'Unsupported grant type.');
  const description = has(state, 'token-error-description-crlf')
    ? 'unsupported grant type\r\nSet-Cookie: injected=1'
    : 'only authorization_code and refresh_token';
  sendOAuthError(response, has(state, 'token-error-200') ? 200 : 400, 'unsupported_grant_type', description);
}

function redeemCode(state: TargetState, client: TargetClient, form: URLSearchParams, response: ServerResponse): void {
  if (has(state, 'code-grant-broken')) return sendOAuthError(response, 500, 'server_error', 'the code grant is broken');
  const code = state.codes.get(form.get('code') ?? '');
  if (code === undefined) return sendOAuthError(response, 400, 'invalid_grant', 'unknown code');
  if (code.used && !(has(state, 'code-replay-accepted') && code.issued.length > 0)) {
    // RFC 6749 §4.1.2: a replayed code revokes what was issued from it.
    if (!has(state, 'replay-keeps-tokens')) for (const token of code.issued) state.accessTokens.delete(token);
    return sendOAuthError(response, 400, 'invalid_grant', 'code already used');
  }
  // Spent before any check, so a failed attempt burns it (no guessing the verifier).
  code.used = true;
  const expiresAt = code.expiresAt + (has(state, 'long-lived-code') ? 840 : 0);
  if ((code.clientId !== client.clientId && !has(state, 'code-not-bound-to-client')) || expiresAt <= state.now())
    return sendOAuthError(response, 400, 'invalid_grant');
  const redirectUri = form.get('redirect_uri');
  if (redirectUri !== null && redirectUri !== code.redirectUri && !has(state, 'token-ignores-redirect-uri')) {
    return sendOAuthError(response, 400, 'invalid_grant', 'redirect_uri differs');
  }
  const verifier = form.get('code_verifier');
  const pkceSkipped =
    (verifier === null && has(state, 'verifier-optional')) || (code.codeChallenge === undefined && has(state, 'verifier-without-challenge-accepted'));
  if (!pkceSkipped) {
    if (verifier === null || (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) && !has(state, 'verifier-format-unchecked'))) {
      return sendOAuthError(response, 400, 'invalid_grant', 'code_verifier');
    }
    const matches = code.codeChallenge !== undefined && equal(createHash('sha256').update(verifier).digest('base64url'), code.codeChallenge);
    if (code.codeChallenge === undefined || (!matches && !has(state, 'verifier-not-checked'))) {
      if (has(state, 'failed-verifier-keeps-code')) code.used = false;
      return sendOAuthError(response, 400, 'invalid_grant', 'PKCE verification failed');
    }
  }
  const resource = form.get('resource');
  const ignoresResource = has(state, 'token-ignores-resource');
  if (resource !== null && resource !== code.resource && !ignoresResource && !state.options.tokenResourceIgnored) {
    return sendOAuthError(response, 400, 'invalid_target');
  }
  const issuedFor = ignoresResource && resource !== null ? resource : code.resource;
  code.issued.push(issueTokens(state, response, { clientId: client.clientId, resource: issuedFor, scope: code.scope, family: randomBytes(8).toString('hex') }));
}

async function refresh(state: TargetState, client: TargetClient, form: URLSearchParams, response: ServerResponse): Promise<void> {
  const presented = form.get('refresh_token') ?? '';
  const record = state.refreshTokens.get(presented);
  if (record === undefined || (record.clientId !== client.clientId && !has(state, 'refresh-client-unbound')))
    return sendOAuthError(response, 400, 'invalid_grant');
  if (state.revokedFamilies.has(record.family)) {
    return has(state, 'refresh-error-500') ? sendOAuthError(response, 500, 'server_error') : sendOAuthError(response, 400, 'invalid_grant');
  }
  if (record.spent) {
    // RFC 9700 §4.14.2: reuse of a rotated refresh token revokes the whole family.
    if (!has(state, 'refresh-reuse-not-detected')) state.revokedFamilies.add(record.family);
    return sendOAuthError(response, 400, 'invalid_grant', 'refresh token reused');
  }
  const scope = form.get('scope') ?? record.scope;
  if (scope.split(' ').some((s) => !record.scope.split(' ').includes(s)) && !has(state, 'refresh-scope-widening')) {
    return sendOAuthError(response, 400, 'invalid_scope');
  }
  const resource = form.get('resource');
  const switches = has(state, 'refresh-foreign-resource');
  if (resource !== null && resource !== record.resource && !switches && !state.options.tokenResourceIgnored) {
    return sendOAuthError(response, 400, 'invalid_target');
  }
  // A check-then-write race: the other request passes the check above while this one waits.
  if (has(state, 'refresh-not-atomic')) await new Promise((resolve) => setTimeout(resolve, 50));
  const rotates = !has(state, 'refresh-not-rotated');
  if (rotates) record.spent = true;
  const grant = { clientId: client.clientId, resource: switches && resource !== null ? resource : record.resource, scope, family: record.family };
  issueTokens(state, response, grant, rotates ? undefined : presented);
}
