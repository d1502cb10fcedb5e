/**
 * The storage contract (src/store/types.ts) on every dialect. Refresh-token rotation on grants
 * (`rotateRefreshToken` in src/store/grant-store.ts): one generation rotates once, never expired,
 * revoked or for another client.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GrantRecord } from '../../../src/store/index.js';
import { startRacer } from '../../support/store-racer.js';
import { grantRecord, rotationOf, T0, uniqueId } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('refresh tokens', () => {
    const fresh = useFreshStore(dialect);

    async function liveGrant(overrides: Partial<GrantRecord> = {}) {
      const grant = grantRecord({ scope: ['read', 'write'], ...overrides });
      await fresh.store.grants.create(grant);
      return grant;
    }

    it('stores a grant with its refresh generation and expiry, or none', async () => {
      const grant = await liveGrant({ refreshGeneration: 3, refreshExpiresAt: T0 + 77 });
      assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
      const withoutRefresh = await liveGrant({ refreshGeneration: null, refreshExpiresAt: null });
      assert.deepEqual(await fresh.store.grants.find(withoutRefresh.id), withoutRefresh);
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(withoutRefresh, T0 + 1, { generation: 0 })), undefined);
    });

    it('rotates the current generation once, returning the grant at the next with a new expiry', async () => {
      const grant = await liveGrant();
      const rotated = await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 100));
      const expected = { ...grant, refreshGeneration: 1, refreshExpiresAt: T0 + 100 + 86_400, lastUsedAt: T0 + 100 };
      assert.deepEqual(rotated, expected);
      assert.deepEqual(await fresh.store.grants.find(grant.id), expected);
      // The same generation again (a reuse) does not rotate; the next one does.
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 101, { generation: 0 })), undefined);
      assert.equal((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 102, { generation: 1 })))?.refreshGeneration, 2);
    });

    it('does not rotate a generation ahead of the current one', async () => {
      const grant = await liveGrant();
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 1, { generation: 1 })), undefined);
      assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
    });

    it('does not rotate an expired token, and leaves it as it was', async () => {
      const grant = await liveGrant({ refreshExpiresAt: T0 + 1000 });
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 1000)), undefined);
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 5000)), undefined);
      assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
      // One second before expiry it still rotates.
      assert.equal((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 999)))?.refreshGeneration, 1);
    });

    it('does not rotate for another client, and does not burn the token', async () => {
      const grant = await liveGrant();
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 10, { clientId: uniqueId('thief') })), undefined);
      assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
      assert.equal((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 11)))?.refreshGeneration, 1);
    });

    it("rotates only for the grant's own resource when one is named", async () => {
      const grant = await liveGrant();
      assert.equal(await fresh.store.grants.rotateRefreshToken({ ...rotationOf(grant, T0 + 10), resource: 'https://other.example.com/mcp' }), undefined);
      assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
      assert.equal((await fresh.store.grants.rotateRefreshToken({ ...rotationOf(grant, T0 + 11), resource: grant.resource }))?.refreshGeneration, 1);
    });

    it('does not rotate once the grant is revoked, now or later', async () => {
      const grant = await liveGrant();
      await fresh.store.grants.revoke(grant.id, T0 + 5);
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 10)), undefined);
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 11)), undefined);
      assert.equal((await fresh.store.grants.find(grant.id))?.refreshGeneration, 0);
    });

    it('does not rotate for a grant that does not exist', async () => {
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grantRecord(), T0 + 10)), undefined);
    });

    it('rotates exactly once among 20 concurrent rotations of one generation', async () => {
      const grant = await liveGrant();
      const results = await Promise.all(Array.from({ length: 20 }, () => fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 100))));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.equal((await fresh.store.grants.find(grant.id))?.refreshGeneration, 1);
    });

    it('rotates exactly once among 20 concurrent rotations across two connections', async () => {
      const other = await fresh.openAnother();
      for (let round = 0; round < 5; round++) {
        const grant = await liveGrant();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fresh.store : other).grants.rotateRefreshToken(rotationOf(grant, T0 + 100))),
        );
        assert.equal(results.filter((r) => r !== undefined).length, 1, `round ${round}`);
        assert.equal((await fresh.store.grants.find(grant.id))?.refreshGeneration, 1, `round ${round}`);
      }
    });

    it('rotates each grant exactly once when two processes race', async () => {
      const clientId = uniqueId('client');
      const grants = Array.from({ length: 50 }, () => grantRecord({ clientId }));
      for (const g of grants) await fresh.store.grants.create(g);
      const grantIds = grants.map((g) => g.id);
      const racer = startRacer(fresh.database.url, { kind: 'rotate-refresh-tokens', grantIds, clientId });
      await racer.ready;
      racer.go();
      const mine: string[] = [];
      for (const grant of grants) mine.push((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 1))) === undefined ? 'lost' : 'rotated');
      const theirs = await racer.done;
      assert.equal(theirs.ok, true, theirs.error);
      for (const i of grantIds.keys()) assert.deepEqual([mine[i], theirs.outcomes[i]].sort(), ['lost', 'rotated'], `grant ${i}`);
      for (const id of grantIds) assert.equal((await fresh.store.grants.find(id))?.refreshGeneration, 1);
    });
  });
});
