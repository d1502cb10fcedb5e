/**
 * The storage contract (src/store/types.ts) on every dialect. Signing keys (src/store/signing-key-
 * store.ts): which keys are published, newest first, and retirement.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signingKeyRecord, T0 } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('signing keys', () => {
    const fresh = useFreshStore(dialect);

    it('publishes live keys and keys retired after the cut-off, newest first', async () => {
      const { signingKeys } = fresh.store;
      const oldest = signingKeyRecord({ kid: 'k-oldest', createdAt: T0 + 100 });
      const middle = signingKeyRecord({ kid: 'k-middle', createdAt: T0 + 200 });
      const current = signingKeyRecord({ kid: 'k-current', createdAt: T0 + 300 });
      const longGone = signingKeyRecord({ kid: 'k-long-gone', createdAt: T0 + 10, retiredAt: T0 + 500 });
      for (const k of [middle, longGone, current, oldest]) await signingKeys.add(k);

      assert.deepEqual(await signingKeys.listPublishable(T0 + 499), [current, middle, oldest, longGone]);
      assert.deepEqual(await signingKeys.listPublishable(T0 + 500), [current, middle, oldest]);

      await signingKeys.retireAllExcept(current.kid, T0 + 1000);
      const retired = { ...middle, retiredAt: T0 + 1000 };
      const retiredOldest = { ...oldest, retiredAt: T0 + 1000 };
      // Retired keys stay published while their tokens may be live; an already-retired key keeps its time.
      assert.deepEqual(await signingKeys.listPublishable(T0 + 999), [current, retired, retiredOldest]);
      assert.deepEqual(await signingKeys.listPublishable(T0 + 1000), [current]);
      assert.deepEqual(await signingKeys.listPublishable(T0 + 400), [current, retired, retiredOldest, longGone]);

      // Retiring again later does not move the retirement time.
      await signingKeys.retireAllExcept(current.kid, T0 + 2000);
      assert.deepEqual(await signingKeys.listPublishable(T0 + 1000), [current]);
    });

    it('refuses a duplicate kid', async () => {
      const key = signingKeyRecord();
      await fresh.store.signingKeys.add(key);
      await assert.rejects(fresh.store.signingKeys.add({ ...key, publicJwk: '{}' }));
    });
  });
});
