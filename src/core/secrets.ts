import { createHash, randomBytes } from 'node:crypto';

/** A new random secret with `bytes` of entropy, base64url (codes, tokens, ids). @see RFC 6749 §10.10 */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The SHA-256 of a secret, as stored: codes, refresh tokens and client secrets are kept only hashed. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}
