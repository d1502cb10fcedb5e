/** The raw SQLite rotation (src/store/sqlite-refresh-rotation.ts), beyond the store contract. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import { refreshTokenRow } from '../../src/store/grant-rows.js';
import { createSqliteRefreshRotation } from '../../src/store/sqlite-refresh-rotation.js';
import { T0, grantRecord, refreshTokenRecord } from '../support/store-records.js';

describe('refresh token rotation on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rotation-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('steps aside while the connection is inside another transaction, and rotates after it', async () => {
    const { db, sqlite } = openDatabase({ dialect: 'sqlite', path: join(dir, 'rotation.db') });
    try {
      await migrateToLatest(db);
      assert.ok(sqlite);
      const grant = grantRecord();
      const token = refreshTokenRecord(grant);
      await db
        .insertInto('grants')
        .values({ id: grant.id, client_id: grant.clientId, user_id: grant.userId, scope: grant.scope.join(' '), resource: grant.resource, created_at: grant.createdAt, revoked_at: null })
        .execute();
      await db.insertInto('refresh_tokens').values(refreshTokenRow(token)).execute();
      const rotate = createSqliteRefreshRotation(sqlite);

      // A Kysely transaction of this process, suspended at an await: its statements and the
      // rotation's must not mix, so the rotation leaves the work to the Kysely path.
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('grants').set({ revoked_at: T0 + 1 }).where('id', '=', grant.id).execute();
        assert.equal(rotate(token.tokenHash, token.clientId, T0 + 2), undefined);
        throw new Error('roll back');
      }).catch(() => {});

      assert.equal(sqlite.inTransaction, false);
      assert.equal(rotate(token.tokenHash, token.clientId, T0 + 3)?.outcome, 'rotated');
      assert.equal(rotate(token.tokenHash, token.clientId, T0 + 4)?.outcome, 'reused');
    } finally {
      await db.destroy();
    }
  });
});
