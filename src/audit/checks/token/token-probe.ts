import { canonicalResource } from '../../../core/resource-uri.js';
import { refusalOf as authorizationRefusalOf, classifyAuthorizationAnswer } from '../../authorization-answer.js';
import { type AuthorizationRequest, authorizationUrl } from '../../authorization-request.js';
import type { AuditClient } from '../../facts/client.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { type Authorization, authorize, authorizeForCode } from '../../login/authorize.js';
import type { Probe } from '../../probe.js';
import { sendTokenRequest } from '../../token-request.js';
import { fail, InconclusiveError, inconclusive, NotApplicableError, pass, type Verdict } from '../../verdict.js';

/** Token request parameters, in order, so a probe can change or drop exactly one. */
export type TokenParameters = readonly (readonly [string, string])[];

/** What a token response issued. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly tokenType: string | undefined;
  readonly expiresIn: number | undefined;
  /** The `scope` member (RFC 6749 §5.1: omitted when it is the scope requested). */
  readonly scope: string | undefined;
}

/** A token endpoint's answer, as the logged-in checks read it. */
export interface TokenAnswer {
  readonly response: ProbeResponse;
  readonly status: number;
  /** The `error` of a JSON error body, when it is a printable code (it is shown in summaries). */
  readonly error: string | undefined;
  /** What was issued: a 2xx with an `access_token`. */
  readonly tokens: IssuedTokens | undefined;
}

/** An OAuth error code fit for a summary (printable ASCII, short: it comes from the server), or undefined. */
function printable(error: unknown): string | undefined {
  return typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : undefined;
}

export function readTokenAnswer(response: ProbeResponse): TokenAnswer {
  const parsed = response.json();
  const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const error = printable(body['error']);
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
  const accessToken = text('access_token');
  const issued = response.status >= 200 && response.status < 300 && accessToken !== undefined && accessToken !== '';
  return {
    response,
    status: response.status,
    error,
    tokens: issued
      ? {
          accessToken,
          refreshToken: text('refresh_token'),
          tokenType: text('token_type'),
          expiresIn: typeof body['expires_in'] === 'number' ? body['expires_in'] : undefined,
          scope: text('scope'),
        }
      : undefined,
  };
}

/** "400 invalid_grant", "200 with an access token": what a summary shows of an answer (never a token). */
export function describeAnswer(answer: TokenAnswer): string {
  if (answer.tokens !== undefined) return `${answer.status} with an access token`;
  return `${answer.status}${answer.error !== undefined ? ` ${answer.error}` : ''}`;
}

/**
 * The compliant redemption of an authorization's code, as TOK-01 sends it (RFC 6749 §4.1.3,
 * RFC 7636 §4.5, RFC 8707 §2.2); the client's authentication is added when it is sent.
 */
export function redemptionParameters(probe: Probe, authorization: { readonly code: string; readonly request: AuthorizationRequest }): TokenParameters {
  return [
    ['grant_type', 'authorization_code'],
    ['code', authorization.code],
    ['redirect_uri', authorization.request.redirectUri],
    ['code_verifier', authorization.request.verifier],
    ['resource', canonicalResource(probe.settings.target.href)],
  ];
}

/** `parameters` with `name` set to `value` (added when absent), or without it when `value` is undefined. */
export function withTokenParameter(parameters: TokenParameters, name: string, value: string | undefined): TokenParameters {
  if (value === undefined) return parameters.filter(([key]) => key !== name);
  if (!parameters.some(([key]) => key === name)) return [...parameters, [name, value]];
  return parameters.map(([key, current]) => [key, key === name ? value : current] as const);
}

/** Sends a token request as `client` (the auditor's own by default); every token in the answer is remembered for redaction. */
export async function requestTokens(probe: Probe, parameters: TokenParameters, client?: AuditClient): Promise<TokenAnswer> {
  return readTokenAnswer(await sendTokenRequest(probe, client ?? (await probe.fact('client')), parameters));
}

/** A refresh (RFC 6749 §6) of `refreshToken`, with `extra` parameters (`scope`, `resource`), as `client`. */
export function refreshTokens(probe: Probe, refreshToken: string, extra: TokenParameters = [], client?: AuditClient): Promise<TokenAnswer> {
  return requestTokens(probe, [['grant_type', 'refresh_token'], ['refresh_token', refreshToken], ...extra], client);
}

/** Tokens of a check's own: a fresh authorization (`request`, the baseline by default) redeemed the compliant way. */
export interface OwnTokens {
  readonly authorization: Authorization & { readonly code: string };
  readonly tokens: IssuedTokens;
}

/**
 * A fresh authorization through the browser, redeemed as TOK-01 redeems it: what a check spends
 * (a replay, a rotation, a revocation) instead of the baseline's tokens. Inconclusive when the
 * server issues nothing, since nothing the check does next could be attributed.
 */
export async function obtainOwnTokens(probe: Probe, request?: AuthorizationRequest): Promise<OwnTokens> {
  const authorization = await authorizeForCode(probe, request);
  const answer = await requestTokens(probe, redemptionParameters(probe, authorization));
  if (answer.tokens === undefined) throw new InconclusiveError(`a fresh authorization's code was not redeemed (${describeAnswer(answer)})`);
  return { authorization, tokens: answer.tokens };
}

/** Like {@link obtainOwnTokens}, requiring a refresh token. */
export async function obtainOwnRefreshToken(probe: Probe, request?: AuthorizationRequest): Promise<OwnTokens & { readonly refreshToken: string }> {
  const own = await obtainOwnTokens(probe, request);
  // Refresh tokens are optional (OAuth 2.1 §4.3): a server that issues none has none to rotate or misuse.
  if (own.tokens.refreshToken === undefined) throw new NotApplicableError('the server issues no refresh token (they are optional), so there is none to test');
  return { ...own, refreshToken: own.tokens.refreshToken };
}

/**
 * How an answer to a deliberately wrong token request reads:
 * - `accepted`: tokens were issued;
 * - `refused`: a 4xx with one of the `expected` error codes;
 * - `refused-otherwise`: a 4xx with another code (the server said no, but not as the RFC says);
 * - `unattributable`: the client was not authenticated (`invalid_client`, 401), a rate limit, a
 *   server error, or a 2xx without tokens: nothing can be put down to the changed parameter.
 */
export type Refusal = 'accepted' | 'refused' | 'refused-otherwise' | 'unattributable';

export function refusalOf(answer: TokenAnswer, expected: readonly string[]): Refusal {
  if (answer.tokens !== undefined) return 'accepted';
  if (answer.error === 'invalid_client' || answer.status === 401 || answer.status === 429) return 'unattributable';
  if (answer.status < 400 || answer.status >= 500) return 'unattributable';
  return answer.error !== undefined && expected.includes(answer.error) ? 'refused' : 'refused-otherwise';
}

/**
 * The verdict on one deliberately wrong token request (`label` says what was wrong): fail at the
 * check's severity when tokens were issued, pass for the expected refusal, fail (low) for
 * another refusal, inconclusive when the answer cannot be put down to what was changed.
 */
export function refusalVerdict(label: string, answer: TokenAnswer, expected: readonly string[]): Verdict {
  switch (refusalOf(answer, expected)) {
    case 'accepted':
      return fail(`${label} was accepted: the server issued tokens`);
    case 'refused':
      return pass(`${label} was refused with ${describeAnswer(answer)}`);
    case 'refused-otherwise':
      return fail(`${label} was refused with ${describeAnswer(answer)}, not ${expected.join(' or ')}`, 'low');
    case 'unattributable':
      return inconclusive(`${label} was answered ${describeAnswer(answer)}, which cannot be put down to what was changed`);
  }
}

/**
 * The code of an authorization request a check changed (a scope, a resource, no challenge), or
 * how the server refused it. The request is first sent as it is, without the browser: a server
 * that refuses it before any login (an error page, an error redirect) says so at once, where the
 * browser would stop at the error page. Otherwise it goes through the browser of `--browser`.
 * @see RFC 6749 §4.1.2.1 (the forms of a refusal)
 */
export async function authorizeChanged(probe: Probe, request: AuthorizationRequest): Promise<{ readonly code: string } | { readonly refused: string }> {
  const { issuer } = await probe.fact('authorizationServer');
  const origins = [new URL(request.endpoint).origin, new URL(issuer).origin];
  const answer = classifyAuthorizationAnswer(await probe.fetch(authorizationUrl(request)), request.redirectUri, origins);
  const seen = authorizationRefusalOf(answer);
  if (seen === 'refused') {
    const error = answer.kind === 'to-client' ? answer.parameters.get('error') : answer.kind === 'json-error' ? answer.error : undefined;
    return { refused: printable(error) ?? `status ${answer.status}` };
  }
  if (seen === 'accepted' && answer.kind === 'to-client') {
    const code = answer.parameters.get('code');
    probe.remember(code ?? undefined);
    if (code !== null) return { code };
  }
  const authorization = await authorize(probe, request);
  if (authorization.code !== undefined) return { code: authorization.code };
  return { refused: printable(authorization.parameters.get('error')) ?? 'no code' };
}
