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
  rotate(rotation: RefreshRotation): Promise<GrantRecord | undefined | 'busy'>;
}

interface QueuedRotation {
  rotation: RefreshRotation;
  resolve(result: GrantRecord | undefined | 'busy'): void;
  reject(error: unknown): void;
}

/**
 * The grant lookup and the refresh rotation as better-sqlite3 prepared statements: the same
 * statements as the Kysely ones in grant-store.ts, minus the cost of building each query (a large
 * share of a one-row statement's).
 *
 * Rotations are committed in groups: those asked for while the event loop handles one round of
 * I/O run at its end (`setImmediate`) in one `BEGIN IMMEDIATE` transaction, each still its own
 * conditional UPDATE. Taking SQLite's locks and appending a commit to the WAL cost more than the
 * UPDATE itself, so under load the token endpoint pays them once for several requests; a lone
 * request waits for no one. SQLite's write lock makes each UPDATE atomic across processes, and
 * every answer is sent after its group has committed.
 *
 * When the connection is inside a Kysely transaction of this process (waiting on an `await`),
 * these statements would join it; they answer 'busy' and the caller takes the Kysely path.
 */
export function createSqliteGrantStatements(sqlite: BetterSqlite3.Database): SqliteGrantStatements {
  let prepared: ReturnType<typeof prepare> | undefined;
  const statements = () => (prepared ??= prepare(sqlite));
  let queue: QueuedRotation[] = [];

  const rotateOne = ({ grantId, clientId, generation, now, expiresAt, resource }: RefreshRotation) => {
    const row = statements().rotate.get({ id: grantId, client_id: clientId, generation, now, resource: resource ?? null, expires_at: expiresAt }) as
      | Selectable<GrantsTable>
      | undefined;
    return row === undefined ? undefined : toGrant(row);
  };
  const rotateGroup = sqlite.transaction((group: QueuedRotation[]) => group.map((queued) => rotateOne(queued.rotation)));

  const flush = () => {
    const group = queue;
    queue = [];
    if (sqlite.inTransaction) {
      for (const queued of group) queued.resolve('busy');
      return;
    }
    let results: (GrantRecord | undefined)[];
    try {
      results = rotateGroup.immediate(group);
    } catch (error) {
      for (const queued of group) queued.reject(error);
      return;
    }
    for (const [i, queued] of group.entries()) queued.resolve(results[i]);
  };

  return {
    find(id) {
      if (sqlite.inTransaction) return 'busy';
      const row = statements().find.get(id) as Selectable<GrantsTable> | undefined;
      return row === undefined ? undefined : toGrant(row);
    },
    rotate(rotation) {
      return new Promise((resolve, reject) => {
        if (queue.push({ rotation, resolve, reject }) === 1) setImmediate(flush);
      });
    },
  };
}

function prepare(sqlite: BetterSqlite3.Database) {
  return {
    find: sqlite.prepare('SELECT * FROM grants WHERE id = ?'),
    rotate: sqlite.prepare(
      `UPDATE grants SET refresh_generation = refresh_generation + 1, refresh_expires_at = @expires_at, last_used_at = @now
       WHERE id = @id AND client_id = @client_id AND refresh_generation = @generation AND refresh_expires_at > @now
         AND revoked_at IS NULL AND (@resource IS NULL OR resource = @resource)
       RETURNING *`,
    ),
  };
}
