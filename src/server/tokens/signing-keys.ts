import { createPrivateKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomSecret } from '../../core/secrets.js';
import type { Keyring } from '../../core/seal.js';
import type { SigningKeyStore } from '../../store/types.js';
import { type Clock, nowSeconds } from '../clock.js';

const ALG = 'ES256';
const SEAL_CONTEXT = 'signing_keys.private_jwk';
/** How often an instance re-reads the keys, so a rotation done elsewhere is picked up. */
const RELOAD_MS = 60_000;

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
  let loaded: { at: number; active: ActiveSigningKey | undefined; publicKeys: JWK[] } | undefined;

  async function addKey(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomSecret(12);
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
    // Keep publishing a retired key for the access token lifetime plus clock-skew slack.
    let rows = await store.listPublishable(nowSeconds(clock) - accessTokenTtlSeconds - 60);
    if (!rows.some((r) => r.retiredAt === null)) {
      await addKey();
      rows = await store.listPublishable(nowSeconds(clock) - accessTokenTtlSeconds - 60);
    }
    const activeRow = rows.find((r) => r.retiredAt === null)!;
    const privateJwk = JSON.parse(keyring.open(activeRow.privateJwkSealed, SEAL_CONTEXT)) as JWK;
    const privateKey = createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    loaded = {
      at: clock.now(),
      active: { kid: activeRow.kid, privateKey },
      publicKeys: rows.map((r) => JSON.parse(r.publicJwk) as JWK),
    };
    return loaded;
  }

  return {
    async current() {
      return (await load()).active!;
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
