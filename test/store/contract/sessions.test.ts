/**
 * The storage contract (src/store/types.ts) on every dialect. Browser sessions (src/store/session-
 * store.ts): found until they expire, removed one at a time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomHash, sessionRecord, T0 } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('sessions', () => {
    const fresh = useFreshStore(dialect);

    it('finds a session until it expires', async () => {
      const session = sessionRecord({ expiresAt: T0 + 3600 });
      await fresh.store.sessions.create(session);
      assert.deepEqual(await fresh.store.sessions.find(session.idHash, T0), session);
      assert.deepEqual(await fresh.store.sessions.find(session.idHash, T0 + 3599), session);
      assert.equal(await fresh.store.sessions.find(session.idHash, T0 + 3600), undefined);
      assert.equal(await fresh.store.sessions.find(session.idHash, T0 + 9999), undefined);
    });

    it('finds nothing for an unknown session', async () => {
      assert.equal(await fresh.store.sessions.find(randomHash(), T0), undefined);
    });

    it('removes a session and only that one', async () => {
      const session = sessionRecord();
      const other = sessionRecord({ userId: session.userId });
      await fresh.store.sessions.create(session);
      await fresh.store.sessions.create(other);
      await fresh.store.sessions.remove(session.idHash);
      assert.equal(await fresh.store.sessions.find(session.idHash, T0), undefined);
      assert.deepEqual(await fresh.store.sessions.find(other.idHash, T0), other);
      await fresh.store.sessions.remove(randomHash());
    });
  });
});
