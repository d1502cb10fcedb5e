import { buildChallenge } from '../core/www-authenticate.js';
import type { OAuthError } from '../core/errors.js';

/** Headers every response carrying tokens or errors gets (RFC 6749 §5.1). */
export const NO_STORE_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * The one place an OAuthError becomes an HTTP response: the JSON body of RFC 6749 §5.2, the
 * status fixed by the error, `no-store`, and for `invalid_client` a 401 with a challenge
 * (RFC 6749 §5.2: the client may have tried HTTP Basic).
 */
export function oauthErrorResponse(error: OAuthError): Response {
  const headers = new Headers({ 'Content-Type': 'application/json', ...NO_STORE_HEADERS });
  if (error.code === 'invalid_client') headers.set('WWW-Authenticate', buildChallenge('Basic', { realm: 'portcullis' }));
  if (error.status === 429 || error.status === 503) headers.set('Retry-After', '60');
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers });
}

export function jsonResponse(body: unknown, status = 200, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...NO_STORE_HEADERS, ...extraHeaders },
  });
}
