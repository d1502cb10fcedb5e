import { hash, randomFillSync } from 'node:crypto';

// Random bytes are drawn from the CSPRNG 4 KiB at a time and each byte is handed out once: a call
// into it costs several times the bytes of one token, and the token endpoint needs two per request.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** A new random secret with `bytes` of entropy, base64url (codes, tokens, ids). @see RFC 6749 §10.10 */
export function randomSecret(bytes = 32): string {
  if (bytes > pool.length) return randomFillSync(Buffer.alloc(bytes)).toString('base64url');
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const secret = pool.toString('base64url', poolOffset, poolOffset + bytes);
  // Zeroed once used, so no secret stays readable in the pool.
  pool.fill(0, poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return secret;
}

/**
 * A new random identifier a person may type on a command line (client, user, grant and key ids):
 * base64url like {@link randomSecret}, but never beginning with `-`, which a CLI would read as an
 * option (`portcullis clients remove -x…` is refused as an unknown option). Identifiers are not
 * secrets, so drawing again in that one case in 64 costs nothing that matters.
 */
export function randomIdentifier(bytes: number): string {
  for (;;) {
    const id = randomSecret(bytes);
    if (!id.startsWith('-')) return id;
  }
}

/** The SHA-256 of a secret, as stored: codes, refresh tokens and client secrets are kept only hashed. */
export function hashSecret(secret: string): string {
  // One-shot hash: no Hash object per call (the gateway hashes every bearer token it sees).
  return hash('sha256', secret, 'base64url');
}
