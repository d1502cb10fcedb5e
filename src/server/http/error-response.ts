import type { Logger } from 'pino';
import { type OAuthError, type OAuthErrorCode, toOAuthError } from '../../core/errors.js';
import { buildChallenge } from '../../core/www-authenticate.js';

/** Headers every response carrying tokens or errors gets (RFC 6749 §5.1). */
export const NO_STORE_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * CORS for the JSON endpoints, which browser-based MCP clients call directly (no credentials).
 * Kept in plain header objects, never set on a built Response: the node adapter answers a
 * Response made from a string and a plain object without materializing it.
 */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, MCP-Protocol-Version',
  'Access-Control-Expose-Headers': 'WWW-Authenticate',
  'Access-Control-Max-Age': '600',
} as const;

/** A JSON answer not yet bound to a transport: a web Response (Hono) or node:http's response. */
export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The one place an OAuthError becomes an HTTP answer: the JSON body of RFC 6749 §5.2, the
 * status fixed by the error, `no-store`, and for `invalid_client` a 401 with a challenge
 * (RFC 6749 §5.2: the client may have tried HTTP Basic).
 */
export function oauthErrorAnswer(error: OAuthError, extraHeaders: Record<string, string> = {}): JsonAnswer {
  const headers: Record<string, string> = { ...extraHeaders };
  if (error.code === 'invalid_client') headers['WWW-Authenticate'] = buildChallenge('Basic', { realm: 'portcullis' });
  if (error.status === 429 || error.status === 503) headers['Retry-After'] = '60';
  return jsonAnswer(error.toJSON(), error.status, headers);
}

/** A JSON answer of the API endpoints: `no-store` unless overridden, and CORS. */
export function jsonAnswer(body: unknown, status = 200, extraHeaders: Record<string, string> = {}): JsonAnswer {
  return { status, headers: { 'Content-Type': 'application/json', ...NO_STORE_HEADERS, ...CORS_HEADERS, ...extraHeaders }, body: JSON.stringify(body) };
}

/**
 * What an API endpoint answers when its handler throws: the OAuth error (`server_error` for
 * anything unexpected), logged with the path only, as a refusal or, for a 5xx, as a failure, and
 * told to `countRefusal` (the metrics) by its code.
 */
export function failedRequestAnswer(logger: Logger, path: string, error: unknown, countRefusal?: (code: OAuthErrorCode) => void): JsonAnswer {
  const oauthError = toOAuthError(error);
  countRefusal?.(oauthError.code);
  if (oauthError.status >= 500) logger.error({ event: 'request_failed', path, detail: oauthError.detail }, 'request failed');
  else logger.info({ event: 'oauth_error', path, error: oauthError.code, detail: oauthError.detail }, 'request refused');
  return oauthErrorAnswer(oauthError);
}

/** `oauthErrorAnswer` as a web Response. */
export function oauthErrorResponse(error: OAuthError, extraHeaders: Record<string, string> = {}): Response {
  return toResponse(oauthErrorAnswer(error, extraHeaders));
}

/** `jsonAnswer` as a web Response. */
export function jsonResponse(body: unknown, status = 200, extraHeaders: Record<string, string> = {}): Response {
  return toResponse(jsonAnswer(body, status, extraHeaders));
}

/** A JSON answer as a web Response. */
export function toResponse({ status, headers, body }: JsonAnswer): Response {
  return new Response(body, { status, headers });
}
