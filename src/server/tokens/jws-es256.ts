import { type KeyObject, sign } from 'node:crypto';

/**
 * Signs a JWT with ES256 in one synchronous node:crypto call. jose signs through WebCrypto, whose
 * asynchronous job costs several times the signature itself on the token endpoint's hot path;
 * keys, JWKS and every verification stay with jose (which verifies these tokens in the tests).
 * @see RFC 7515 §5.1 (compact serialization), RFC 7518 §3.4 (ES256: R || S, 64 bytes)
 */
export function signEs256Jwt(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
