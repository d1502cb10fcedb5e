/**
 * The storage contract (src/store/types.ts) on every dialect. Grants (src/store/grant-store.ts):
 * idempotent create, revocation that keeps the first time, and revocation from a replayed code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeRecord, grantRecord, rotationOf, T0, uniqueId } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('grants', () => {
    const fresh = useFreshStore(dialect);

    it('creates and finds a grant', async () => {
      const grant = grantRecord({ scope: ['read', 'write'] });
      await fresh.store.grants.create(grant);
      assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
      assert.equal(await fresh.store.grants.find(uniqueId('nothing')), undefined);
    });

    it('creates idempotently by id: a second create changes nothing', async () => {
      const grant = grantRecord();
      await fresh.store.grants.create(grant);
      await fresh.store.grants.create({ ...grant, scope: ['admin'], resource: 'https://other.example.com/mcp', createdAt: T0 + 9 });
      assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
    });

    it('revokes a grant once; a later revoke keeps the first time', async () => {
      const grant = grantRecord();
      await fresh.store.grants.create(grant);
      await fresh.store.grants.revoke(grant.id, T0 + 10);
      assert.deepEqual(await fresh.store.grants.find(grant.id), { ...grant, revokedAt: T0 + 10 });
      await fresh.store.grants.revoke(grant.id, T0 + 20);
      assert.equal((await fresh.store.grants.find(grant.id))?.revokedAt, T0 + 10);
      await fresh.store.grants.revoke(uniqueId('nothing'), T0);
    });

    it('revokeFromCode creates the grant revoked when it does not exist yet, and create() cannot revive it', async () => {
      const code = codeRecord({ scope: ['read', 'write'] });
      await fresh.store.grants.revokeFromCode(code, T0 + 30);
      assert.deepEqual(await fresh.store.grants.find(code.grantId), {
        id: code.grantId,
        clientId: code.clientId,
        userId: code.userId,
        scope: code.scope,
        resource: code.resource,
        createdAt: T0 + 30,
        revokedAt: T0 + 30,
        refreshGeneration: null,
        refreshExpiresAt: null,
      });
      // The redemption that lost the race now stores its grant: it must stay revoked.
      await fresh.store.grants.create(grantRecord({ id: code.grantId, clientId: code.clientId, userId: code.userId, createdAt: T0 + 31, revokedAt: null }));
      assert.equal((await fresh.store.grants.find(code.grantId))?.revokedAt, T0 + 30);
    });

    it('revokeFromCode revokes an existing grant and keeps what it holds', async () => {
      const code = codeRecord();
      const grant = grantRecord({
        id: code.grantId,
        clientId: code.clientId,
        userId: code.userId,
        scope: code.scope,
        resource: code.resource,
        createdAt: T0 + 1,
      });
      await fresh.store.grants.create(grant);
      await fresh.store.grants.revokeFromCode(code, T0 + 40);
      assert.deepEqual(await fresh.store.grants.find(grant.id), { ...grant, revokedAt: T0 + 40 });
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 41)), undefined);
    });

    it('revokes every live grant of a user for a client and counts them', async () => {
      const userId = uniqueId('user');
      const clientId = uniqueId('client');
      const a = grantRecord({ userId, clientId });
      const b = grantRecord({ userId, clientId });
      const revoked = grantRecord({ userId, clientId, revokedAt: T0 + 1 });
      const otherClient = grantRecord({ userId });
      const otherUser = grantRecord({ clientId });
      for (const g of [a, b, revoked, otherClient, otherUser]) await fresh.store.grants.create(g);

      assert.equal(await fresh.store.grants.revokeForUserAndClient(userId, clientId, T0 + 50), 2);

      assert.equal((await fresh.store.grants.find(a.id))?.revokedAt, T0 + 50);
      assert.equal((await fresh.store.grants.find(b.id))?.revokedAt, T0 + 50);
      assert.equal((await fresh.store.grants.find(revoked.id))?.revokedAt, T0 + 1);
      assert.equal((await fresh.store.grants.find(otherClient.id))?.revokedAt, null);
      assert.equal((await fresh.store.grants.find(otherUser.id))?.revokedAt, null);
      assert.equal(await fresh.store.grants.revokeForUserAndClient(userId, clientId, T0 + 60), 0);
    });

    it("lists a user's grants by creation time, revoked ones included", async () => {
      const userId = uniqueId('user');
      const third = grantRecord({ userId, createdAt: T0 + 3 });
      const first = grantRecord({ userId, createdAt: T0 + 1, revokedAt: T0 + 2 });
      const second = grantRecord({ userId, createdAt: T0 + 2 });
      for (const g of [third, first, second, grantRecord()]) await fresh.store.grants.create(g);
      assert.deepEqual(await fresh.store.grants.listForUser(userId), [first, second, third]);
      assert.deepEqual(await fresh.store.grants.listForUser(uniqueId('nobody')), []);
    });
  });
});
