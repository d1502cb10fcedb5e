/** The raw SQLite grant statements (src/store/sqlite-grant-statements.ts), beyond the store contract. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { grantRow } from '../../src/store/grant-rows.js';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import { createSqliteGrantStatements } from '../../src/store/sqlite-grant-statements.js';
import { T0, grantRecord, rotationOf } from '../support/store-records.js';

describe('grant statements on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-grant-statements-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('step aside while the connection is inside another transaction, and rotate after it', async () => {
    const { db, sqlite } = openDatabase({ dialect: 'sqlite', path: join(dir, 'grants.db') });
    try {
      await migrateToLatest(db);
      assert.ok(sqlite);
      const grant = grantRecord();
      await db.insertInto('grants').values(grantRow(grant)).execute();
      const statements = createSqliteGrantStatements(sqlite);

      // A Kysely transaction of this process, suspended at an await: its statements and these
      // must not mix (they would join it and be rolled back with it), so these step aside.
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('grants').set({ revoked_at: T0 + 1 }).where('id', '=', grant.id).execute();
          assert.equal(statements.find(grant.id), 'busy');
          assert.equal(statements.rotate(rotationOf(grant, T0 + 2)), 'busy');
          throw new Error('roll back');
        })
        .catch(() => {});

      assert.equal(sqlite.inTransaction, false);
      assert.deepEqual(statements.find(grant.id), grant);
      assert.equal((statements.rotate(rotationOf(grant, T0 + 3)) as { refreshGeneration: number }).refreshGeneration, 1);
      // The same generation a second time is a loser.
      assert.equal(statements.rotate(rotationOf(grant, T0 + 4)), undefined);
    } finally {
      await db.destroy();
    }
  });
});
