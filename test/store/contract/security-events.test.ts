/**
 * The storage contract on every dialect: the security event trail (src/store/security-event-
 * store.ts) lists newest first, filters by time, type, user and client, and sweeps by age.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0 } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('security events', () => {
    const fresh = useFreshStore(dialect);
    const base = { userId: null, clientId: null, address: null, outcome: 'refused', detail: {} };

    it('stores an event as given and lists events newest first', async () => {
      const first = await fresh.store.securityEvents.add({ ...base, at: T0, type: 'login_failed', address: '203.0.113.7', detail: { known_user: false } });
      const second = await fresh.store.securityEvents.add({
        ...base,
        at: T0 + 5,
        type: 'code_replayed',
        userId: 'u1',
        clientId: 'c1',
        outcome: 'revoked',
        detail: { grant_id: 'g1', families_revoked: 1 },
      });
      const listed = await fresh.store.securityEvents.list({ since: T0 });
      assert.deepEqual(listed, [second, first]);
      assert.notEqual(second.id, first.id);
    });

    it('filters by time, type, user and client, and limits', async () => {
      for (let i = 0; i < 5; i++)
        await fresh.store.securityEvents.add({ ...base, at: T0 + 100 + i, type: 'pkce_failed', userId: `user-${i % 2}`, clientId: 'filter-client' });
      const { list } = fresh.store.securityEvents;
      assert.equal((await list({ since: T0 + 102 })).length, 3);
      assert.equal((await list({ type: 'pkce_failed' })).length, 5);
      assert.equal((await list({ type: 'pkce_failed', userId: 'user-1' })).length, 2);
      assert.equal((await list({ clientId: 'filter-client', limit: 2 })).map((e) => e.at).join(), `${T0 + 104},${T0 + 103}`);
      assert.deepEqual(await list({ clientId: 'nobody' }), []);
    });

    it('sweeps events recorded before the cut-off, and only those', async () => {
      await fresh.store.securityEvents.add({ ...base, at: T0 - 1000, type: 'login_failed' });
      const removed = await fresh.store.securityEvents.sweep(T0 - 999);
      assert.equal(removed, 1);
      assert.ok((await fresh.store.securityEvents.list({})).every((e) => e.at >= T0));
    });
  });
});
