/**
 * The storage contract (src/store/types.ts) on every dialect. Clients (src/store/client-store.ts):
 * every field kept, unique ids, listing order, and removal that revokes the client's grants.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation } from '../../../src/store/index.js';
import { clientRecord, grantRecord, randomHash, rotationOf, T0, uniqueId, userRecord } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('clients', () => {
    const fresh = useFreshStore(dialect);

    it('creates and finds a public client with every field intact', async () => {
      const client = clientRecord({ clientName: null, scope: null, metadata: { redirect_uris: ['http://127.0.0.1/cb'], nested: { a: [1, 'two', null] } } });
      await fresh.store.clients.create(client);
      assert.deepEqual(await fresh.store.clients.find(client.clientId), client);
    });

    it('creates and finds a confidential static client', async () => {
      const client = clientRecord({
        secretHash: randomHash(),
        tokenEndpointAuthMethod: 'client_secret_basic',
        redirectUris: ['https://app.example.com/cb', 'com.example.app:/cb'],
        grantTypes: ['authorization_code'],
        clientName: 'Ünïcode "name"',
        scope: ['read', 'write'],
        source: 'static',
        createdAt: T0 + 5,
      });
      await fresh.store.clients.create(client);
      assert.deepEqual(await fresh.store.clients.find(client.clientId), client);
    });

    it('keeps an empty scope list apart from "any scope" (null)', async () => {
      const client = clientRecord({ scope: [] });
      await fresh.store.clients.create(client);
      assert.deepEqual((await fresh.store.clients.find(client.clientId))?.scope, []);
    });

    it('finds nothing for an unknown client id', async () => {
      assert.equal(await fresh.store.clients.find(uniqueId('nobody')), undefined);
    });

    it('refuses a duplicate client id with UniqueViolation and keeps the first', async () => {
      const client = clientRecord();
      await fresh.store.clients.create(client);
      await assert.rejects(fresh.store.clients.create({ ...client, clientName: 'impostor', redirectUris: ['https://evil.example/cb'] }), UniqueViolation);
      assert.deepEqual(await fresh.store.clients.find(client.clientId), client);
    });

    it('lists clients by creation time, then id', async () => {
      const later = clientRecord({ clientId: `b-${uniqueId('list')}`, createdAt: T0 + 1000 });
      const sameTimeA = clientRecord({ clientId: `a-${uniqueId('list')}`, createdAt: T0 + 999 });
      const sameTimeB = clientRecord({ clientId: `b-${uniqueId('list')}`, createdAt: T0 + 999 });
      for (const c of [later, sameTimeB, sameTimeA]) await fresh.store.clients.create(c);
      const listed = await fresh.store.clients.list();
      const mine = listed.filter((c) => [later, sameTimeA, sameTimeB].some((m) => m.clientId === c.clientId));
      assert.deepEqual(mine, [sameTimeA, sameTimeB, later]);
      const keys = listed.map((c) => [c.createdAt, c.clientId] as const);
      const sorted = [...keys].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
      assert.deepEqual(keys, sorted);
    });

    it('removes a client, revoking its grants and forgetting its consents, and leaves others alone', async () => {
      const { store } = fresh;
      const client = clientRecord();
      const other = clientRecord();
      const user = userRecord();
      await store.clients.create(client);
      await store.clients.create(other);
      await store.users.create(user);
      const live = grantRecord({ clientId: client.clientId, userId: user.id });
      const alreadyRevoked = grantRecord({ clientId: client.clientId, userId: user.id, revokedAt: T0 + 5 });
      const othersGrant = grantRecord({ clientId: other.clientId, userId: user.id });
      for (const g of [live, alreadyRevoked, othersGrant]) await store.grants.create(g);
      await store.consents.grant(user.id, client.clientId, ['read'], T0);
      await store.consents.grant(user.id, other.clientId, ['read'], T0);

      assert.equal(await store.clients.remove(client.clientId, T0 + 100), true);

      assert.equal(await store.clients.find(client.clientId), undefined);
      assert.equal((await store.grants.find(live.id))?.revokedAt, T0 + 100);
      assert.equal((await store.grants.find(alreadyRevoked.id))?.revokedAt, T0 + 5);
      assert.equal((await store.grants.find(othersGrant.id))?.revokedAt, null);
      assert.equal(await store.consents.find(user.id, client.clientId), undefined);
      assert.notEqual(await store.consents.find(user.id, other.clientId), undefined);
      assert.deepEqual(await store.clients.find(other.clientId), other);
      // The refresh token died with its grant.
      assert.equal(await store.grants.rotateRefreshToken(rotationOf(live, T0 + 101)), undefined);

      assert.equal(await store.clients.remove(client.clientId, T0 + 200), false);
    });

    it('reports false when removing an unknown client', async () => {
      assert.equal(await fresh.store.clients.remove(uniqueId('nobody'), T0), false);
    });
  });
});
