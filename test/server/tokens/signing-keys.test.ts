/**
 * ES256 signing keys kept in the store: a key row whose public or private JWK is not of the
 * stored shape is left out of the JWKS and never signed with; with no readable key left to sign
 * with, a new one is made, as for a new database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyring } from '../../../src/core/seal.js';
import { createSigningKeys } from '../../../src/server/tokens/signing-keys.js';
import { TestClock } from '../../support/clock.js';
import { TEST_SECRET } from '../../support/server.js';
import { signingKeyRecord, T0 } from '../../support/store-records.js';
import { createSqliteDatabase } from '../../support/stores.js';
import { sqliteStoreForSuite } from '../../support/suite-store.js';

/** The AES-GCM associated data signing-keys.ts seals private keys under. */
const SEAL_CONTEXT = 'signing_keys.private_jwk';
const keyring = createKeyring([TEST_SECRET]);

describe('createSigningKeys with stored keys of another shape', () => {
  const suite = sqliteStoreForSuite();

  it('reads back the keys it makes: another instance signs with the same key', async () => {
    const ownDatabase = createSqliteDatabase();
    const own = await ownDatabase.open();
    try {
      const clock = new TestClock(T0 * 1000);
      const first = await createSigningKeys(own.signingKeys, keyring, clock, 300).current();
      const second = createSigningKeys(own.signingKeys, keyring, clock, 300);
      assert.equal((await second.current()).kid, first.kid);
      assert.deepEqual(
        (await second.jwks()).keys.map((key) => key.kid),
        [first.kid],
      );
    } finally {
      await own.close();
      await ownDatabase.destroy();
    }
  });

  it('publishes only readable keys and signs with a new one when none is readable', async () => {
    const publicJwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'foreign-public', alg: 'ES256', use: 'sig' };
    const sealPrivate = (jwk: unknown) => keyring.seal(typeof jwk === 'string' ? jwk : JSON.stringify(jwk), SEAL_CONTEXT);
    const rows = [
      // Not JSON, an RSA key, no `y`: not published, not signed with.
      signingKeyRecord({ kid: 'not-json', publicJwk: '{', privateJwkSealed: sealPrivate({ ...publicJwk, d: 'd' }) }),
      signingKeyRecord({
        kid: 'rsa',
        publicJwk: JSON.stringify({ kty: 'RSA', n: 'n', e: 'AQAB', kid: 'rsa', alg: 'RS256' }),
        privateJwkSealed: sealPrivate({ kty: 'RSA' }),
      }),
      signingKeyRecord({
        kid: 'no-y',
        publicJwk: JSON.stringify({ ...publicJwk, y: undefined, kid: 'no-y' }),
        privateJwkSealed: sealPrivate({ ...publicJwk, d: 'd' }),
      }),
      // A readable public key with a private key of another shape: published, not signed with.
      signingKeyRecord({ kid: 'foreign-public', publicJwk: JSON.stringify(publicJwk), privateJwkSealed: sealPrivate('not json') }),
    ];
    for (const row of rows) await suite.store.signingKeys.add(row);

    const keys = createSigningKeys(suite.store.signingKeys, keyring, new TestClock((T0 + 10) * 1000), 300);
    const active = await keys.current();
    assert.ok(!rows.some((row) => row.kid === active.kid), 'a new key signs');
    assert.equal(active.privateKey.asymmetricKeyType, 'ec');
    const published = (await keys.jwks()).keys.map((key) => key.kid).sort();
    assert.deepEqual(published, [active.kid, 'foreign-public'].sort());
  });
});

describe('a key rotation across instances', () => {
  it('publishes the new key on every instance before any signs with it, then retires the old one', async () => {
    const database = createSqliteDatabase();
    const store = await database.open();
    try {
      const clock = new TestClock(T0 * 1000);
      const reloadSeconds = 10;
      // Two instances on one database, each re-reading the keys every 10 s.
      const a = createSigningKeys(store.signingKeys, keyring, clock, 300, reloadSeconds);
      const b = createSigningKeys(store.signingKeys, keyring, clock, 300, reloadSeconds);
      const old = (await a.current()).kid;
      assert.equal((await b.current()).kid, old);
      clock.advance(1);

      const added = await a.rotate();
      assert.equal(a.activationDelaySeconds, 20);
      assert.equal((await a.current()).kid, old, 'the instance that rotated keeps signing with the old key');
      assert.ok(
        (await a.jwks()).keys.some((k) => k.kid === added),
        'and publishes the new one at once',
      );

      // Within one reload period every instance publishes the new key, and none signs with it yet.
      clock.advance(reloadSeconds);
      assert.ok((await b.jwks()).keys.some((k) => k.kid === added));
      assert.equal((await b.current()).kid, old);

      // Two periods after the rotation, both sign with the new key; the old one stays published.
      clock.advance(reloadSeconds);
      assert.equal((await a.current()).kid, added);
      assert.equal((await b.current()).kid, added);
      assert.ok(
        (await b.jwks()).keys.some((k) => k.kid === old),
        'the old key is published until its tokens expire',
      );

      // After the access token lifetime and slack, the old key leaves the JWKS.
      clock.advance(300 + 60 + reloadSeconds);
      assert.deepEqual(
        (await a.jwks()).keys.map((k) => k.kid),
        [added],
      );
    } finally {
      await store.close();
      await database.destroy();
    }
  });

  it('signs with the new key at once on an immediate rotation (a compromised key)', async () => {
    const database = createSqliteDatabase();
    const store = await database.open();
    try {
      const clock = new TestClock(T0 * 1000);
      const keys = createSigningKeys(store.signingKeys, keyring, clock, 300, 10);
      const old = (await keys.current()).kid;
      const added = await keys.rotate({ immediately: true });
      assert.notEqual(added, old);
      assert.equal((await keys.current()).kid, added);
    } finally {
      await store.close();
      await database.destroy();
    }
  });
});
