/**
 * The storage contract (src/store/types.ts) on every dialect. Pending authorization requests
 * (src/store/pending-authorization-store.ts): found until they expire, taken once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingAuthorizationRecord, randomHash, T0 } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('pending authorizations', () => {
    const fresh = useFreshStore(dialect);

    it('finds a pending request until it expires', async () => {
      const pending = pendingAuthorizationRecord();
      await fresh.store.pendingAuthorizations.create(pending);
      assert.deepEqual(await fresh.store.pendingAuthorizations.find(pending.idHash, T0), pending);
      assert.deepEqual(await fresh.store.pendingAuthorizations.find(pending.idHash, pending.expiresAt - 1), pending);
      assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, pending.expiresAt), undefined);
      assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, pending.expiresAt + 1), undefined);
    });

    it('finds nothing for an unknown handle', async () => {
      assert.equal(await fresh.store.pendingAuthorizations.find(randomHash(), T0), undefined);
      assert.equal(await fresh.store.pendingAuthorizations.take(randomHash(), T0), undefined);
    });

    it('takes a pending request once', async () => {
      const pending = pendingAuthorizationRecord();
      await fresh.store.pendingAuthorizations.create(pending);
      assert.deepEqual(await fresh.store.pendingAuthorizations.take(pending.idHash, T0 + 1), pending);
      assert.equal(await fresh.store.pendingAuthorizations.take(pending.idHash, T0 + 1), undefined);
      assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, T0 + 1), undefined);
    });

    it('does not return an expired request from take, and spends it anyway', async () => {
      const pending = pendingAuthorizationRecord();
      await fresh.store.pendingAuthorizations.create(pending);
      assert.equal(await fresh.store.pendingAuthorizations.take(pending.idHash, pending.expiresAt), undefined);
      // Gone: even with a clock from before its expiry, it is not there any more.
      assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, T0), undefined);
      assert.equal(await fresh.store.pendingAuthorizations.take(pending.idHash, T0), undefined);
    });

    it('gives a pending request to exactly one of 20 concurrent takes across two stores', async () => {
      const other = await fresh.openAnother();
      const pending = pendingAuthorizationRecord();
      await fresh.store.pendingAuthorizations.create(pending);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fresh.store : other).pendingAuthorizations.take(pending.idHash, T0 + 1)),
      );
      assert.deepEqual(
        results.filter((r) => r !== undefined),
        [pending],
      );
    });
  });
});
