/** The raw SQLite grant statements (src/store/sqlite-grant-statements.ts), beyond the store contract. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import { grantRow } from '../../src/store/grant-rows.js';
import { createSqliteGrantStatements } from '../../src/store/sqlite-grant-statements.js';
import { grantRecord, rotationOf, T0 } from '../support/store-records.js';

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
          await trx
            .updateTable('grants')
            .set({ revoked_at: T0 + 1 })
            .where('id', '=', grant.id)
            .execute();
          assert.equal(statements.find(grant.id), 'busy');
          assert.equal(await statements.rotate(rotationOf(grant, T0 + 2)), 'busy');
          throw new Error('roll back');
        })
        .catch(() => {});

      assert.equal(sqlite.inTransaction, false);
      assert.deepEqual(statements.find(grant.id), grant);
      assert.equal(((await statements.rotate(rotationOf(grant, T0 + 3))) as { refreshGeneration: number }).refreshGeneration, 1);
      // The same generation a second time is a loser.
      assert.equal(await statements.rotate(rotationOf(grant, T0 + 4)), undefined);
    } finally {
      await db.destroy();
    }
  });

  it('commit the rotations asked for in one round together, each deciding its own winner', async () => {
    const { db, sqlite } = openDatabase({ dialect: 'sqlite', path: join(dir, 'groups.db') });
    try {
      await migrateToLatest(db);
      assert.ok(sqlite);
      const grants = Array.from({ length: 5 }, () => grantRecord());
      for (const grant of grants) await db.insertInto('grants').values(grantRow(grant)).execute();
      const statements = createSqliteGrantStatements(sqlite);
      const changesBefore = sqlite.prepare('SELECT total_changes() AS n').get() as { n: number };

      // Every grant once, and the first one three times more: one group of eight UPDATEs.
      const results = await Promise.all([...grants, grants[0]!, grants[0]!, grants[0]!].map((grant) => statements.rotate(rotationOf(grant, T0 + 1))));
      assert.deepEqual(
        results.map((r) => (r === undefined || r === 'busy' ? r : r.refreshGeneration)),
        [1, 1, 1, 1, 1, undefined, undefined, undefined],
      );
      const changesAfter = sqlite.prepare('SELECT total_changes() AS n').get() as { n: number };
      assert.equal(changesAfter.n - changesBefore.n, 5);
      // Written to the file: another connection sees every rotation.
      const { db: other } = openDatabase({ dialect: 'sqlite', path: join(dir, 'groups.db') });
      const rows = await other.selectFrom('grants').select(['id', 'refresh_generation']).execute();
      await other.destroy();
      assert.deepEqual(new Set(rows.map((r) => r.refresh_generation)), new Set([1]));
    } finally {
      await db.destroy();
    }
  });
});
