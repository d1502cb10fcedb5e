import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import { toGrant } from './grant-rows.js';
import type { GrantsTable } from './schema.js';
import type { GrantRecord, RefreshRotation } from './types.js';

/**
 * The two grant statements on the token endpoint's hot path, for SQLite. 'busy': the connection
 * is inside another transaction; use Kysely, which waits for it.
 */
export interface SqliteGrantStatements {
  find(id: string): GrantRecord | undefined | 'busy';
  rotate(rotation: RefreshRotation): GrantRecord | undefined | 'busy';
}

/**
 * The grant lookup and the refresh rotation as better-sqlite3 prepared statements: the same
 * statements as the Kysely ones in grant-store.ts, minus the cost of building each query (a large
 * share of a one-row statement's). Each is one autocommit statement, so SQLite's write lock makes
 * the conditional UPDATE atomic across processes too.
 *
 * When the connection is inside a Kysely transaction of this process (waiting on an `await`),
 * these statements would join it; they answer 'busy' and the caller takes the Kysely path.
 */
export function createSqliteGrantStatements(sqlite: BetterSqlite3.Database): SqliteGrantStatements {
  let prepared: ReturnType<typeof prepare> | undefined;
  return {
    find(id) {
      if (sqlite.inTransaction) return 'busy';
      const row = (prepared ??= prepare(sqlite)).find.get(id) as Selectable<GrantsTable> | undefined;
      return row === undefined ? undefined : toGrant(row);
    },
    rotate({ grantId, clientId, generation, now, expiresAt, resource }) {
      if (sqlite.inTransaction) return 'busy';
      const row = (prepared ??= prepare(sqlite)).rotate.get({ id: grantId, client_id: clientId, generation, now, resource: resource ?? null, expires_at: expiresAt }) as Selectable<GrantsTable> | undefined;
      return row === undefined ? undefined : toGrant(row);
    },
  };
}

function prepare(sqlite: BetterSqlite3.Database) {
  return {
    find: sqlite.prepare('SELECT * FROM grants WHERE id = ?'),
    rotate: sqlite.prepare(
      `UPDATE grants SET refresh_generation = refresh_generation + 1, refresh_expires_at = @expires_at
       WHERE id = @id AND client_id = @client_id AND refresh_generation = @generation AND refresh_expires_at > @now
         AND revoked_at IS NULL AND (@resource IS NULL OR resource = @resource)
       RETURNING *`,
    ),
  };
}
