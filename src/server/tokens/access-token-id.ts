import { randomSecret } from '../../core/secrets.js';

/**
 * An access token's `jti` (RFC 9068 §2.2, RFC 7519 §4.1.7): its grant's id, a dot, and 16 random
 * bytes. Naming the grant lets `isAccessTokenLive` check a token against its grant without a row
 * stored per token issued; only a revoked access token gets a row (RFC 7009). Grant ids are
 * base64url, so they never contain the dot. The grant id is no secret: it only links the tokens
 * of one grant, which `sub` and `client_id` already do.
 */
export function newAccessTokenId(grantId: string): string {
  return `${grantId}.${randomSecret(16)}`;
}

/** The grant an access token's `jti` names, or undefined for any other `jti`. */
export function grantIdOfAccessToken(jti: string): string | undefined {
  const dot = jti.indexOf('.');
  if (dot <= 0) return undefined;
  const grantId = jti.slice(0, dot);
  return /^[A-Za-z0-9_-]+$/.test(grantId) ? grantId : undefined;
}
