/**
 * The storage contract (src/store/types.ts) on every dialect. Opening a store (`openStore` in
 * src/store/index.ts, the migrations of src/store/database.ts): empty at first, and a reopened
 * database keeps its rows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientRecord, codeRecord, T0, userRecord } from '../../support/store-records.js';
import { assertRedeemed, describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('opening', () => {
    const fresh = useFreshStore(dialect);

    it('reports its dialect', () => {
      assert.equal(fresh.store.dialect, dialect);
    });

    it('starts empty', async () => {
      assert.deepEqual(await fresh.store.clients.list(), []);
      assert.deepEqual(await fresh.store.users.list(), []);
      assert.deepEqual(await fresh.store.signingKeys.listPublishable(0), []);
    });

    it('reopens an existing database: migrations are idempotent and data is kept', async () => {
      const client = clientRecord();
      const user = userRecord();
      const code = codeRecord();
      await fresh.store.clients.create(client);
      await fresh.store.users.create(user);
      await fresh.store.codes.create(code);
      assertRedeemed(await fresh.store.codes.consume(code.codeHash, T0 + 1));

      const reopened = await fresh.reopen();
      assert.deepEqual(await reopened.clients.find(client.clientId), client);
      assert.deepEqual(await reopened.users.findById(user.id), user);
      const again = await reopened.codes.consume(code.codeHash, T0 + 2);
      assert.equal(again.outcome, 'replayed');

      // A second store opened next to a live one runs the migrator again without harm and sees the same rows.
      const other = await fresh.openAnother();
      assert.deepEqual(await other.clients.find(client.clientId), client);
    });
  });
});
