import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type SqliteDatabase, type SqliteStatement } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/0001-initial.js';
import * as dropUnusedTokenIndexes from './migrations/0002-drop-unused-token-indexes.js';
import * as federation from './migrations/0003-federation.js';
import * as client from './migrations/0004-client.js';
import * as refreshTokensOnGrants from './migrations/0005-refresh-tokens-on-grants.js';
import type { Database } from './schema.js';

export type DatabaseUrl = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Parses `--db`: `sqlite:PATH` (`sqlite::memory:` for tests) or a `postgres://` URL. */
export function parseDatabaseUrl(value: string): DatabaseUrl {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path === '') throw new Error('--db sqlite: needs a path, for example sqlite:./portcullis.db');
    return { dialect: 'sqlite', path };
  }
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) return { dialect: 'postgres', url: value };
  throw new Error(`--db must be sqlite:PATH or a postgres:// URL, not "${value.split(':')[0]}:…"`);
}

export interface SqliteOptions {
  /** `synchronous` pragma. NORMAL is durable across process crashes in WAL mode; FULL also across power loss. */
  synchronous?: 'NORMAL' | 'FULL';
}

/**
 * An open database: Kysely for every query, and on SQLite also the better-sqlite3 connection
 * beneath it, for the few hot statements that run on it directly (sqlite-refresh-rotation.ts).
 */
export interface OpenDatabase {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database | null;
}

/** Opens the database (creating a SQLite file and its folder if needed). */
export function openDatabase(url: DatabaseUrl, options: SqliteOptions = {}): OpenDatabase {
  if (url.dialect === 'sqlite') {
    if (url.path !== ':memory:') mkdirSync(dirname(resolve(url.path)), { recursive: true });
    const sqlite = new BetterSqlite3(url.path);
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

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-drop-unused-token-indexes': dropUnusedTokenIndexes,
  '0003-federation': federation,
  '0004-client': client,
  '0005-refresh-tokens-on-grants': refreshTokensOnGrants,
};

/** Applies pending migrations; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'portcullis_migrations',
    migrationLockTableName: 'portcullis_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
