import { createPrivateKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { z } from 'zod';
import type { Keyring } from '../../core/seal.js';
import { randomIdentifier } from '../../core/secrets.js';
import { parseStoredJson } from '../../core/stored-json.js';
import type { SigningKeyRecord, SigningKeyStore } from '../../store/types.js';
import { type Clock, nowSeconds } from '../clock.js';

const ALG = 'ES256';
const SEAL_CONTEXT = 'signing_keys.private_jwk';
/** How often an instance re-reads the keys, so a rotation done elsewhere is picked up. */
const RELOAD_MS = 60_000;

/**
 * An ES256 key as `exportJWK` wrote it (RFC 7518 §6.2.1), other members kept as they are, so the
 * JWKS publishes exactly what was stored.
 */
const publicJwkSchema = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), kid: z.string(), alg: z.literal(ALG) });
/** The private key adds `d` (RFC 7518 §6.2.2.1). */
const privateJwkSchema = publicJwkSchema.extend({ d: z.string() });

/** A stored key this code can publish and sign with; a row of any other shape is left out. */
interface ReadableKey {
  row: SigningKeyRecord;
  publicJwk: JWK;
}

function readableKey(row: SigningKeyRecord): ReadableKey | undefined {
  const publicJwk = parseStoredJson(row.publicJwk, publicJwkSchema);
  return publicJwk === undefined ? undefined : { row, publicJwk };
}

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * ES256 signing keys: private parts sealed at rest (docs/design.md invariant 7); a retired key stays
 * in the JWKS until every token it signed has expired.
 */
export interface SigningKeys {
  current(): Promise<ActiveSigningKey>;
  /** The JWK Set to publish at `jwks_uri`. @see RFC 7517 §5 */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Starts signing with a new key and retires the old one. Returns the new key id. */
  rotate(): Promise<string>;
}

export function createSigningKeys(store: SigningKeyStore, keyring: Keyring, clock: Clock, accessTokenTtlSeconds: number): SigningKeys {
  let loaded: { at: number; active: ActiveSigningKey; publicKeys: JWK[] } | undefined;

  async function addKey(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomIdentifier(12);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
    await store.add({
      kid,
      alg: ALG,
      publicJwk: JSON.stringify(publicJwk),
      privateJwkSealed: keyring.seal(JSON.stringify(privateJwk), SEAL_CONTEXT),
      createdAt: nowSeconds(clock),
      retiredAt: null,
    });
    return kid;
  }

  async function load(): Promise<NonNullable<typeof loaded>> {
    if (loaded !== undefined && clock.now() - loaded.at < RELOAD_MS) return loaded;
    let keys = await readableKeys();
    let active = activeKeyOf(keys);
    if (active === undefined) {
      await addKey();
      keys = await readableKeys();
      active = activeKeyOf(keys);
      if (active === undefined) throw new Error('the signing key just added cannot be read back');
    }
    loaded = { at: clock.now(), active, publicKeys: keys.map((k) => k.publicJwk) };
    return loaded;
  }

  /** The keys to publish: readable ones only. */
  async function readableKeys(): Promise<ReadableKey[]> {
    // Keep publishing a retired key for the access token lifetime plus clock-skew slack.
    const rows = await store.listPublishable(nowSeconds(clock) - accessTokenTtlSeconds - 60);
    return rows.flatMap((row) => readableKey(row) ?? []);
  }

  /**
   * The newest key not retired whose private part reads as an ES256 JWK. None (a key of another
   * shape counts as none) means a new key is made, as for a new database.
   */
  function activeKeyOf(keys: readonly ReadableKey[]): ActiveSigningKey | undefined {
    for (const { row } of keys) {
      if (row.retiredAt !== null) continue;
      const privateJwk = parseStoredJson(keyring.open(row.privateJwkSealed, SEAL_CONTEXT), privateJwkSchema);
      if (privateJwk !== undefined) return { kid: row.kid, privateKey: createPrivateKey({ key: privateJwk, format: 'jwk' }) };
    }
    return undefined;
  }

  return {
    async current() {
      return (await load()).active;
    },
    async jwks() {
      return { keys: (await load()).publicKeys };
    },
    async rotate() {
      const kid = await addKey();
      await store.retireAllExcept(kid, nowSeconds(clock));
      loaded = undefined;
      return kid;
    },
  };
}
