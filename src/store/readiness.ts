import { statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { MIGRATION_TABLE, MIGRATIONS } from './database.js';
import type { Database } from './schema.js';

/**
 * What `/readyz` asks of the store (docs/operations.md): whether the database answers, and whether
 * every migration this version knows is applied. Each is undefined when fine, or says in words
 * what is wrong, never with a connection URL (which may hold a password).
 */
export interface StoreReadiness {
  database: string | undefined;
  migrations: string | undefined;
}

/** How long the database gets to answer a readiness check. */
export const DEFAULT_READINESS_TIMEOUT_MS = 1000;

/**
 * The store's readiness check. On PostgreSQL, a trivial query through the pool (a server down, a
 * database that refuses connections, or terminated backends show here). On SQLite, whose file is
 * opened once and then never fails to answer a query, what can go wrong is the file itself: one
 * deleted or moved away while the process runs still answers through the open handle, but every
 * write from then on is lost at the next restart; so the file at the path must still be the one
 * that was opened (same device and inode).
 */
export function createStoreReadiness(db: Kysely<Database>, sqlite: BetterSqlite3.Database | null): (timeoutMs?: number) => Promise<StoreReadiness> {
  const file = sqlite === null || sqlite.memory ? undefined : { path: sqlite.name, identity: fileIdentity(sqlite.name) };
  return async (timeoutMs = DEFAULT_READINESS_TIMEOUT_MS) => {
    if (file !== undefined) {
      const now = fileIdentity(file.path);
      const unchecked = 'not checked: the database file is not the one opened';
      if (now === undefined)
        return notReady(`the SQLite file ${file.path} is gone (deleted or moved): what is written now is lost at the next start`, unchecked);
      if (now !== file.identity) return notReady(`the SQLite file ${file.path} was replaced by another file since it was opened`, unchecked);
    }
    let applied: string[];
    try {
      applied = await withTimeout(
        sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db).then((result) => result.rows.map((row) => row.name)),
        timeoutMs,
      );
    } catch (error) {
      return notReady(
        error instanceof TimedOut ? `the database did not answer within ${timeoutMs} ms` : `the database does not answer: ${driverMessage(error)}`,
      );
    }
    return { database: undefined, migrations: migrationProblem(applied) };
  };
}

function notReady(database: string, migrations = 'not checked: the database does not answer'): StoreReadiness {
  return { database, migrations };
}

/** Migrations this version knows that are not applied, or applied ones it does not know (a newer version migrated the database). */
function migrationProblem(applied: readonly string[]): string | undefined {
  const known = Object.keys(MIGRATIONS);
  const missing = known.filter((name) => !applied.includes(name));
  if (missing.length > 0) return `not applied: ${missing.join(', ')}`;
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0) return `applied by a newer version of Portcullis, unknown to this one: ${unknown.join(', ')}`;
  return undefined;
}

function fileIdentity(path: string): string | undefined {
  try {
    const stats = statSync(path, { bigint: true });
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

class TimedOut extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), ms);
  });
  // The query may still finish or fail after the timeout; its outcome is then nobody's.
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The driver's text: PostgreSQL and SQLite messages name hosts, databases and files, never a password. */
function driverMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (message !== '') return message;
  return typeof code === 'string' ? code : 'unknown error';
}
