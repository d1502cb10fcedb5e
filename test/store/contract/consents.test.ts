/**
 * The storage contract (src/store/types.ts) on every dialect. Consents (src/store/consent-store.ts):
 * scopes added as a union, also under a race, and revocation with the grants.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRacer } from '../../support/store-racer.js';
import { grantRecord, T0, uniqueId } from '../../support/store-records.js';
import { describeOnEveryDialect, runAll, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('consents', () => {
    const fresh = useFreshStore(dialect);

    it('records a consent and adds later scopes to it (union)', async () => {
      const userId = uniqueId('user');
      const clientId = uniqueId('client');
      assert.equal(await fresh.store.consents.find(userId, clientId), undefined);
      await fresh.store.consents.grant(userId, clientId, ['write', 'read'], T0);
      assert.deepEqual(await fresh.store.consents.find(userId, clientId), { userId, clientId, scope: ['read', 'write'], createdAt: T0, updatedAt: T0 });
      await fresh.store.consents.grant(userId, clientId, ['admin', 'read'], T0 + 10);
      assert.deepEqual(await fresh.store.consents.find(userId, clientId), {
        userId,
        clientId,
        scope: ['admin', 'read', 'write'],
        createdAt: T0,
        updatedAt: T0 + 10,
      });
      await fresh.store.consents.grant(userId, clientId, [], T0 + 20);
      assert.deepEqual((await fresh.store.consents.find(userId, clientId))?.scope, ['admin', 'read', 'write']);
    });

    it("lists a user's consents by client id, and no one else's", async () => {
      const userId = uniqueId('user');
      const [a, b, c] = ['a', 'b', 'c'].map((p) => `${p}-${uniqueId('client')}`) as [string, string, string];
      await fresh.store.consents.grant(userId, c, ['read'], T0);
      await fresh.store.consents.grant(userId, a, ['read'], T0);
      await fresh.store.consents.grant(userId, b, ['write'], T0);
      await fresh.store.consents.grant(uniqueId('other'), a, ['read'], T0);
      const listed = await fresh.store.consents.listForUser(userId);
      assert.deepEqual(
        listed.map((r) => [r.clientId, r.scope]),
        [
          [a, ['read']],
          [b, ['write']],
          [c, ['read']],
        ],
      );
      assert.ok(listed.every((r) => r.userId === userId));
      assert.deepEqual(await fresh.store.consents.listForUser(uniqueId('nobody')), []);
    });

    it("revokes a consent and the user's grants for that client only", async () => {
      const userId = uniqueId('user');
      const clientId = uniqueId('client');
      const otherClientId = uniqueId('client');
      await fresh.store.consents.grant(userId, clientId, ['read'], T0);
      await fresh.store.consents.grant(userId, otherClientId, ['read'], T0);
      await fresh.store.consents.grant(uniqueId('other'), clientId, ['read'], T0);
      const grant = grantRecord({ userId, clientId });
      const otherClientGrant = grantRecord({ userId, clientId: otherClientId });
      const otherUserGrant = grantRecord({ clientId });
      for (const g of [grant, otherClientGrant, otherUserGrant]) await fresh.store.grants.create(g);

      assert.equal(await fresh.store.consents.revoke(userId, clientId, T0 + 70), true);

      assert.equal(await fresh.store.consents.find(userId, clientId), undefined);
      assert.notEqual(await fresh.store.consents.find(userId, otherClientId), undefined);
      assert.equal((await fresh.store.grants.find(grant.id))?.revokedAt, T0 + 70);
      assert.equal((await fresh.store.grants.find(otherClientGrant.id))?.revokedAt, null);
      assert.equal((await fresh.store.grants.find(otherUserGrant.id))?.revokedAt, null);
      assert.equal(await fresh.store.consents.revoke(userId, clientId, T0 + 80), false);
    });

    it('keeps every scope when grants race with another process', async () => {
      const userId = uniqueId('user');
      const clientId = uniqueId('client');
      const mine = Array.from({ length: 100 }, (_, i) => `parent${i}`);
      const theirs = Array.from({ length: 100 }, (_, i) => `child${i}`);
      const racer = startRacer(fresh.database.url, { kind: 'grant-consents', userId, clientId, scopes: theirs });
      await racer.ready;
      racer.go();
      const errors = await runAll(mine.map((scope) => () => fresh.store.consents.grant(userId, clientId, [scope], T0)));
      const theirResult = await racer.done;
      assert.deepEqual(errors, []);
      assert.equal(theirResult.ok, true, theirResult.error);
      assert.deepEqual((await fresh.store.consents.find(userId, clientId))?.scope, [...mine, ...theirs].sort());
    });

    it('revokes grants even when no consent was stored', async () => {
      const grant = grantRecord();
      await fresh.store.grants.create(grant);
      assert.equal(await fresh.store.consents.revoke(grant.userId, grant.clientId, T0 + 5), false);
      assert.equal((await fresh.store.grants.find(grant.id))?.revokedAt, T0 + 5);
    });
  });
});
