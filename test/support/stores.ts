import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.js';

/** Where the PostgreSQL tests connect; override with PORTCULLIS_TEST_POSTGRES. */
export const POSTGRES_ADMIN_URL = process.env['PORTCULLIS_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let postgresReachable: Promise<boolean> | undefined;

async function canReachPostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether PostgreSQL tests should be skipped, with the reason. In CI (CI=true) PostgreSQL is
 * required: an unreachable server fails the run instead of skipping.
 */
export async function postgresSkipReason(): Promise<string | false> {
  postgresReachable ??= canReachPostgres();
  if (await postgresReachable) return false;
  if (process.env['CI']) throw new Error(`PostgreSQL is required in CI but ${POSTGRES_ADMIN_URL} is unreachable`);
  return `PostgreSQL at ${POSTGRES_ADMIN_URL} is unreachable; set PORTCULLIS_TEST_POSTGRES to run these tests`;
}

export interface TestDatabase {
  /** A `--db` value for this fresh database. */
  url: string;
  open(): Promise<Store>;
  /** Drops the database (PostgreSQL) or deletes the file (SQLite). */
  destroy(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder. */
export function createSqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  const url = `sqlite:${join(dir, 'portcullis.db')}`;
  return {
    url,
    open: () => openStore(url),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh PostgreSQL database with a random name, dropped by `destroy`. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `portcullis_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    open: () => openStore(url.href),
    async destroy() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The dialects every storage-dependent suite runs against. */
export const DIALECTS = ['sqlite', 'postgres'] as const;

export async function createTestDatabase(dialect: (typeof DIALECTS)[number]): Promise<TestDatabase> {
  return dialect === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase();
}
