import { OAuthError } from '../core/errors.js';

/**
 * The errors a TokenVerifier rejects with. The public description never says why a token was
 * refused (RFC 6750 §3.1 leaves it optional; telling a prober which check failed helps only the
 * prober); the detail does, for logs, and never contains the token.
 */

const INVALID_TOKEN_DESCRIPTION = 'The access token is invalid, expired or revoked.';
const UNAVAILABLE_DESCRIPTION = 'The access token could not be checked right now; try again later.';

/** The token is not acceptable here: 401 `invalid_token`. @see RFC 6750 §3.1 */
export function invalidToken(detail: string): OAuthError {
  return new OAuthError('invalid_token', INVALID_TOKEN_DESCRIPTION, { detail });
}

/**
 * The token could not be checked (the JWKS or the introspection endpoint is unreachable or answers
 * nonsense): 503 `temporarily_unavailable`, not 401, so a client keeps its token and retries
 * instead of sending its user through a new authorization against a server that is down.
 */
export function verificationUnavailable(detail: string): OAuthError {
  return new OAuthError('temporarily_unavailable', UNAVAILABLE_DESCRIPTION, { detail });
}
