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
/** How often an instance re-reads the keys by default, so a rotation done elsewhere is picked up. */
export const DEFAULT_KEY_RELOAD_SECONDS = 60;

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
 * The newest key not retired, old enough to sign (published long enough), whose private part
 * reads as an ES256 JWK; when none is old enough, the oldest (the one that signed until now: a
 * new database has only it, an immediate rotation retired the others). None (a key of another
 * shape counts as none) means a new key is made. `keys` are newest first.
 */
function activeKeyOf(keys: readonly ReadableKey[], keyring: Keyring, ripeBefore: number): (ActiveSigningKey & { createdAt: number }) | undefined {
  const usable = keys.flatMap(({ row }) => {
    if (row.retiredAt !== null) return [];
    const privateJwk = parseStoredJson(keyring.open(row.privateJwkSealed, SEAL_CONTEXT), privateJwkSchema);
    return privateJwk === undefined ? [] : [{ kid: row.kid, createdAt: row.createdAt, privateJwk }];
  });
  const chosen = usable.find((k) => k.createdAt <= ripeBefore) ?? usable.at(-1);
  return chosen === undefined
    ? undefined
    : { kid: chosen.kid, createdAt: chosen.createdAt, privateKey: createPrivateKey({ key: chosen.privateJwk, format: 'jwk' }) };
}

/**
 * ES256 signing keys: private parts sealed at rest (docs/design.md invariant 7); a retired key stays
 * in the JWKS until every token it signed has expired.
 */
export interface SigningKeys {
  current(): Promise<ActiveSigningKey>;
  /** The JWK Set to publish at `jwks_uri`. @see RFC 7517 §5 */
  jwks(): Promise<{ keys: JWK[] }>;
  /**
   * Adds a new key. By default it is published at once and signs only from
   * `activationDelaySeconds` later, when every instance publishes it (see {@link createSigningKeys});
   * with `immediately` (a compromised key) it signs at once and the old keys are retired now.
   * Returns the new key id.
   */
  rotate(options?: { immediately?: boolean }): Promise<string>;
  /** Seconds from a rotation to the new key's first signature. */
  readonly activationDelaySeconds: number;
}

/**
 * Several instances share the keys through the store, and each re-reads them every
 * `reloadSeconds`. So that no instance signs with a key another does not yet publish, a new key
 * is published first and signs only once it is two reload periods old: by then every instance has
 * re-read the keys and publishes it, and any JWKS served before the rotation (cached at most
 * `reloadSeconds`: the JWKS endpoint's max-age) has expired. The keys it replaces are retired at
 * that moment and stay published until their tokens expire.
 */
export function createSigningKeys(
  store: SigningKeyStore,
  keyring: Keyring,
  clock: Clock,
  accessTokenTtlSeconds: number,
  reloadSeconds = DEFAULT_KEY_RELOAD_SECONDS,
): SigningKeys {
  let loaded: { at: number; active: ActiveSigningKey; publicKeys: JWK[] } | undefined;
  const reloadMs = reloadSeconds * 1000;
  const activationDelaySeconds = 2 * reloadSeconds;

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
    if (loaded !== undefined && clock.now() - loaded.at < reloadMs) return loaded;
    let keys = await readableKeys();
    const ripeBefore = () => nowSeconds(clock) - activationDelaySeconds;
    let active = activeKeyOf(keys, keyring, ripeBefore());
    if (active === undefined) {
      await addKey();
      keys = await readableKeys();
      active = activeKeyOf(keys, keyring, ripeBefore());
      if (active === undefined) throw new Error('the signing key just added cannot be read back');
    }
    // The keys the active one replaced retire when it started signing: every instance computes the
    // same time, whichever writes it first.
    if (keys.some((k) => k.row.retiredAt === null && k.row.createdAt < active.createdAt)) {
      await store.retireOlderThan(active.createdAt, Math.min(nowSeconds(clock), active.createdAt + activationDelaySeconds));
      keys = await readableKeys();
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

  return {
    async current() {
      return (await load()).active;
    },
    async jwks() {
      return { keys: (await load()).publicKeys };
    },
    async rotate(options = {}) {
      const kid = await addKey();
      if (options.immediately === true) await store.retireAllExcept(kid, nowSeconds(clock));
      loaded = undefined;
      return kid;
    },
    activationDelaySeconds,
  };
}
