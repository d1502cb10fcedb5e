import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from '../../core/constant-time.js';

/** The `Keyring.deriveKeys` purpose (HKDF info label) of the refresh-token MAC keys. */
export const REFRESH_TOKEN_KEY_PURPOSE = 'refresh-token:hmac-sha256';

/** Which refresh token of which grant a value is: the grant's id and the token's generation in it. */
export interface RefreshTokenId {
  grantId: string;
  generation: number;
}

export interface RefreshTokenValues {
  /** The refresh token of `generation` in the grant, signed with the current key. */
  mint(id: RefreshTokenId): string;
  /** The grant and generation a presented value names, or undefined unless its MAC verifies. */
  read(value: string): RefreshTokenId | undefined;
}

// `<grant id>.<generation>.<MAC>`: grant ids are base64url (no dot), generations decimal.
const SHAPE = /^([A-Za-z0-9_-]{1,64})\.(0|[1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})$/;

/**
 * Refresh token values (RFC 6749 §1.5) that need no row per token: each is its grant's id, its
 * generation in the grant, and an HMAC-SHA256 of both under a key derived from the master secret.
 * The grant row keeps only the current generation, so rotation (RFC 9700 §4.14.2) is one
 * conditional UPDATE of one row, and every token the grant ever issued can still be recognised:
 * an older generation with a valid MAC is a reused token, which revokes the family
 * (docs/design.md invariant 5). Without the MAC, anyone who learned a grant id (it is in access
 * tokens' `jti`) could forge an "old" token and revoke someone else's grant.
 *
 * Nothing about the token is stored: the database alone yields no usable refresh token
 * (invariant 7). The MAC is 256 bits, compared in constant time; keys of older master secrets
 * still verify, so a master secret can rotate without logging every client out.
 */
export function createRefreshTokenValues(keys: readonly Buffer[]): RefreshTokenValues {
  if (keys.length === 0) throw new Error('refresh tokens need at least one key');
  const keyObjects: KeyObject[] = keys.map((key) => createSecretKey(key));
  const mac = (key: KeyObject, grantId: string, generation: number) => createHmac('sha256', key).update(`${grantId}.${generation}`).digest();

  return {
    mint({ grantId, generation }) {
      return `${grantId}.${generation}.${mac(keyObjects[0]!, grantId, generation).toString('base64url')}`;
    },
    read(value) {
      const match = SHAPE.exec(value);
      if (match === null) return undefined;
      const grantId = match[1]!;
      const generation = Number(match[2]);
      const presented = Buffer.from(match[3]!, 'base64url');
      // Only the canonical spelling: the last character's two spare bits must be zero.
      if (presented.length !== 32 || presented.toString('base64url') !== match[3]) return undefined;
      for (const key of keyObjects) {
        if (constantTimeEqual(presented, mac(key, grantId, generation))) return { grantId, generation };
      }
      return undefined;
    },
  };
}
