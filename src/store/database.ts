import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type Migration, Migrator, PostgresDialect, type SqliteDatabase, SqliteDialect, type SqliteStatement, sql } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/0001-initial.js';
import * as dropUnusedTokenIndexes from './migrations/0002-drop-unused-token-indexes.js';
import * as federation from './migrations/0003-federation.js';
import * as client from './migrations/0004-client.js';
import * as refreshTokensOnGrants from './migrations/0005-refresh-tokens-on-grants.js';
import * as operations from './migrations/0006-operations.js';
import type { Database } from './schema.js';

export const MIGRATION_TABLE = 'portcullis_migrations';

export type DatabaseUrl = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/**
 * Parses `--db`: `sqlite:PATH` (`sqlite::memory:` for tests) or a `postgres://` URL. `name` is how
 * the value was given (`--db`, or `config db`), for the message when it is neither.
 */
export function parseDatabaseUrl(value: string, name = '--db'): DatabaseUrl {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path === '') throw new Error(`${name} sqlite: needs a path, for example sqlite:./portcullis.db`);
    return { dialect: 'sqlite', path };
  }
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) return { dialect: 'postgres', url: value };
  // A bare path (no scheme, so nothing secret in it): say how to write it.
  if (value !== '' && !value.includes(':'))
    throw new Error(`${name} must be sqlite:PATH or a postgres:// URL; for the SQLite file ${value}, write sqlite:${value}`);
  throw new Error(`${name} must be sqlite:PATH or a postgres:// URL, not "${value.split(':')[0]}:…"`);
}

/** Why a database could not be opened. */
export type DatabaseProblem = 'missing' | 'not-portcullis' | 'unreachable' | 'no-such-database' | 'login-refused' | 'cannot-open';

/** The database could not be opened; `location` names it without any password. */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly problem: DatabaseProblem,
    readonly location: string,
    readonly detail: string,
  ) {
    super(`${location}: ${detail}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Where a database is, for messages: the absolute SQLite path, or the PostgreSQL URL without password or query. */
export function databaseLocation(url: DatabaseUrl): string {
  if (url.dialect === 'sqlite') return url.path === ':memory:' ? ':memory:' : resolve(url.path);
  try {
    const parsed = new URL(url.url);
    return `${parsed.protocol}//${parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL (a URL that does not parse)';
  }
}

export interface SqliteOptions {
  /** `synchronous` pragma. NORMAL is durable across process crashes in WAL mode; FULL also across power loss. */
  synchronous?: 'NORMAL' | 'FULL';
}

export interface OpenOptions extends SqliteOptions {
  /**
   * The database must already exist and hold Portcullis's tables: nothing is created (for
   * commands that only read or change what is there). A missing one is a `missing` or
   * `not-portcullis` {@link DatabaseUnavailableError}.
   */
  mustExist?: boolean;
}

/**
 * An open database: Kysely for every query, and on SQLite also the better-sqlite3 connection
 * beneath it, for the few hot statements that run on it directly (sqlite-refresh-rotation.ts).
 */
export interface OpenDatabase {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database | null;
}

/**
 * Opens the database: creates a SQLite file and its folder if needed, unless `mustExist`. Nothing
 * is read yet; {@link checkDatabase} makes the first contact.
 */
export function openDatabase(url: DatabaseUrl, options: OpenOptions = {}): OpenDatabase {
  if (url.dialect === 'sqlite') {
    const sqlite = openSqliteFile(url.path, options);
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), sqlite };
  }
  const pool = new pg.Pool({
    connectionString: url.url,
    max: 10,
    // bigint columns hold Unix seconds: safe as JS numbers.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client fails when the server restarts or terminates its backend. The pool drops it and
  // the next query reconnects; without a listener, the pool's 'error' event would crash the process.
  pool.on('error', () => {});
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), sqlite: null };
}

function openSqliteFile(path: string, options: OpenOptions): BetterSqlite3.Database {
  const location = databaseLocation({ dialect: 'sqlite', path });
  if (options.mustExist && path !== ':memory:' && !existsSync(path)) throw new DatabaseUnavailableError('missing', location, 'no such file');
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    if (path !== ':memory:' && !options.mustExist) mkdirSync(dirname(resolve(path)), { recursive: true });
    sqlite = new BetterSqlite3(path, { fileMustExist: Boolean(options.mustExist) });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // The write that fills the WAL past this many pages copies it into the database and syncs both
    // files, on the event loop. SQLite's default (1,000 pages, 4 MB) does that every ~100 token
    // requests; at 4,000 pages (a WAL of up to 16 MB) it happens a quarter as often and copies each
    // hot page once for more commits. NORMAL stays durable across a process crash; what a power
    // cut may lose (the commits since the last checkpoint) is up to 4,000 pages instead of 1,000.
    sqlite.pragma('wal_autocheckpoint = 4000');
    return sqlite;
  } catch (error) {
    sqlite?.close();
    // A folder in the way, no permission, or a file that is not SQLite ("file is not a database");
    // anything else (a driver that fails to load) is not about the path and passes through.
    if (error instanceof BetterSqlite3.SqliteError || typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new DatabaseUnavailableError('cannot-open', location, driverMessage(error));
    }
    throw error;
  }
}

/**
 * First contact with the database, before migrating: a PostgreSQL server that cannot be reached or
 * refuses the login becomes a {@link DatabaseUnavailableError} that names it (never its password);
 * with `mustExist`, a database without Portcullis's tables is refused instead of filled.
 */
export async function checkDatabase(db: Kysely<Database>, url: DatabaseUrl, options: OpenOptions = {}): Promise<void> {
  const location = databaseLocation(url);
  let tables: number;
  try {
    const query =
      url.dialect === 'sqlite'
        ? sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${MIGRATION_TABLE}`
        : sql<{
            n: number;
          }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${MIGRATION_TABLE}`;
    tables = Number((await query.execute(db)).rows[0]?.n ?? 0);
  } catch (error) {
    throw url.dialect === 'postgres' ? postgresUnavailable(location, error) : new DatabaseUnavailableError('cannot-open', location, driverMessage(error));
  }
  if (options.mustExist && tables === 0) throw new DatabaseUnavailableError('not-portcullis', location, `no ${MIGRATION_TABLE} table`);
}

/** Sorts a `pg` connection failure by what the person must fix: the server, the database name, or the login. */
function postgresUnavailable(location: string, error: unknown): DatabaseUnavailableError {
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return new DatabaseUnavailableError('unreachable', location, 'connection refused');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseUnavailableError('unreachable', location, 'unknown host');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DatabaseUnavailableError('unreachable', location, code);
    // SQLSTATE invalid_catalog_name
    case '3D000':
      return new DatabaseUnavailableError('no-such-database', location, 'no such database');
    // SQLSTATE invalid_password, invalid_authorization_specification
    case '28P01':
    case '28000':
      return new DatabaseUnavailableError('login-refused', location, driverMessage(error));
    default:
      return new DatabaseUnavailableError('cannot-open', location, driverMessage(error));
  }
}

/** A system or SQLSTATE code; Node reports a refused connection to a name with several addresses as an AggregateError. */
function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  const first = (error as { errors?: unknown[] } | null)?.errors?.[0];
  return first === undefined ? undefined : errorCode(first);
}

/** The driver's own text (SQLite and PostgreSQL messages name files, users and databases, never a password). */
function driverMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message === '' ? (errorCode(error) ?? 'unknown error') : message;
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing is a
 * large share of a small query's cost. Queries are built from a fixed set of shapes, so the cache
 * stays small; it is bounded anyway.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        if (statements.size >= 500) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}

export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-drop-unused-token-indexes': dropUnusedTokenIndexes,
  '0003-federation': federation,
  '0004-client': client,
  '0005-refresh-tokens-on-grants': refreshTokensOnGrants,
  '0006-operations': operations,
};

/** Applies pending migrations; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: 'portcullis_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
