import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** One AES-256-GCM key with the id written in front of what it seals. */
interface SealingKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * Keys for sealing secrets at rest (docs/design.md invariant 7). The first key seals; every key opens,
 * so a master secret can be rotated by putting the new one first and keeping the old ones until
 * what they sealed has been resealed or has expired.
 */
export interface Keyring {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** A purpose-bound key derived from the current master secret (HMAC keys for CSRF, etc.). */
  deriveKey(purpose: string): Buffer;
  /**
   * The purpose-bound keys of every master secret, the current one first: a MAC made with any of
   * them still verifies while an old master secret is kept for rotation.
   */
  deriveKeys(purpose: string): Buffer[];
}

const FORMAT = 'v1';

function deriveFromMaster(master: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(master, 'utf8'), 'portcullis', purpose, 32));
}

export function createKeyring(masterSecrets: readonly string[]): Keyring {
  if (masterSecrets.length === 0) throw new Error('a keyring needs at least one master secret');
  for (const secret of masterSecrets) {
    if (secret.length < 32) throw new Error('a master secret must be at least 32 characters');
  }
  const keys: SealingKey[] = masterSecrets.map((master) => {
    const key = deriveFromMaster(master, 'seal:aes-256-gcm');
    return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
  });
  const current = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k]));

  return {
    /** `v1.<kid>.<iv>.<ciphertext>.<tag>`; `context` is bound as AAD so a value cannot be moved between columns. */
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [FORMAT, current.id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')];
      return parts.join('.');
    },
    open(sealed, context) {
      const [format, kid, iv, body, tag] = sealed.split('.');
      if (format !== FORMAT || kid === undefined || iv === undefined || body === undefined || tag === undefined) {
        throw new Error('sealed value has an unknown format');
      }
      const key = byId.get(kid);
      if (key === undefined) throw new Error(`sealed with key ${kid}, which is not in the keyring`);
      // A fixed tag length: without it Node accepts a truncated tag (4–15 bytes), cutting forgery cost.
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    deriveKey(purpose) {
      return deriveFromMaster(masterSecrets[0]!, `derive:${purpose}`);
    },
    deriveKeys(purpose) {
      return masterSecrets.map((master) => deriveFromMaster(master, `derive:${purpose}`));
    },
  };
}
