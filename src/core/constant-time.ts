import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets (or MACs, hashes, challenges) in time that does not depend on where they
 * differ. Different lengths answer false at once: the length of a secret's encoding is public
 * (a fixed-size hash or MAC), and `timingSafeEqual` throws on unequal lengths.
 * Strings are compared as UTF-8 bytes.
 * @see RFC 6749 §10.10 (guessing secrets); OAuth 2.0 Security BCP (RFC 9700) §4.8 (timing); node-oidc-provider's constant_equals
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return left.length === right.length && timingSafeEqual(left, right);
}
