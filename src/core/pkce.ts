import { createHash } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

/** A code challenge is the base64url SHA-256 digest: exactly 43 characters. @see RFC 7636 §4.2 */
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** code_verifier = 43*128unreserved. @see RFC 7636 §4.1 */
const VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;

export function isValidCodeChallenge(challenge: string): boolean {
  return CHALLENGE_PATTERN.test(challenge);
}

export function isValidCodeVerifier(verifier: string): boolean {
  return VERIFIER_PATTERN.test(verifier);
}

/** The S256 challenge for a verifier: BASE64URL(SHA256(ASCII(verifier))). @see RFC 7636 §4.2 */
export function computeS256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Checks a verifier against a stored S256 challenge in constant time.
 * Only S256 exists here: `plain` is refused at the authorization endpoint (OAuth 2.1 §4.1.1,
 * MCP Authorization "Authorization Code Protection").
 * @see RFC 7636 §4.6
 */
export function verifyPkce(verifier: string, challenge: string): boolean {
  if (!isValidCodeVerifier(verifier) || !isValidCodeChallenge(challenge)) return false;
  return constantTimeEqual(computeS256Challenge(verifier), challenge);
}
