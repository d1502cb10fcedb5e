/**
 * src/store/database.ts: the `--db` URL, and opening the database: a SQLite file across restarts,
 * PostgreSQL connections the server closes, and a server or database that is not there.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { DatabaseUnavailableError, openStore, parseDatabaseUrl, type Store } from '../../src/store/index.js';
import { clientRecord, codeRecord, grantRecord, rotationOf, T0, userRecord } from '../support/store-records.js';
import { createPostgresDatabase, POSTGRES_ADMIN_URL, postgresSkipReason, type TestDatabase } from '../support/stores.js';

describe('parseDatabaseUrl (--db)', () => {
  it('reads sqlite:PATH', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:./portcullis.db'), { dialect: 'sqlite', path: './portcullis.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite:/var/lib/portcullis/db.sqlite'), { dialect: 'sqlite', path: '/var/lib/portcullis/db.sqlite' });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
  });

  it('reads postgres:// and postgresql:// URLs unchanged', () => {
    for (const url of ['postgres://user:pw@db.example.com:5432/portcullis', 'postgresql://127.0.0.1/portcullis?sslmode=require']) {
      assert.deepEqual(parseDatabaseUrl(url), { dialect: 'postgres', url });
    }
  });

  it('refuses an empty sqlite path', () => {
    assert.throws(() => parseDatabaseUrl('sqlite:'), /needs a path/);
  });

  it('refuses other schemes without echoing credentials', () => {
    assert.throws(
      () => parseDatabaseUrl('mysql://root:hunter2@db/portcullis'),
      (error: Error) => {
        assert.match(error.message, /sqlite:PATH or a postgres:\/\/ URL/);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
    assert.throws(() => parseDatabaseUrl('./portcullis.db'));
    assert.throws(() => parseDatabaseUrl(''));
  });

  it('suggests sqlite:PATH for a bare path, and names the setting as it was given', () => {
    assert.throws(() => parseDatabaseUrl('data/x.db'), /^Error: --db .*write sqlite:data\/x\.db$/);
    assert.throws(() => parseDatabaseUrl('x.db', '"db" in portcullis.json'), /^Error: "db" in portcullis\.json .*write sqlite:x\.db$/);
  });
});

/** SQLite-only behaviour of the store: the database file across restarts. */
describe('store on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Reads the file with a separate connection, outside the store. */
  function inspect<T>(path: string, read: (db: BetterSqlite3.Database) => T): T {
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  it('creates the file and its folders', async () => {
    const path = join(dir, 'nested', 'deeper', 'portcullis.db');
    const store = await openStore(`sqlite:${path}`);
    await store.close();
    assert.ok(existsSync(path));
  });

  it('puts the file in WAL mode', async () => {
    const path = join(dir, 'wal.db');
    const store = await openStore(`sqlite:${path}`);
    await store.close();
    assert.equal(
      inspect(path, (db) => db.pragma('journal_mode', { simple: true })),
      'wal',
    );
  });

  it('reopens the file: migrations are applied once and the data is kept', async () => {
    const path = join(dir, 'reopen.db');
    const client = clientRecord();
    const user = userRecord();
    const grant = grantRecord({ clientId: client.clientId, userId: user.id });
    const code = codeRecord({ clientId: client.clientId, userId: user.id });

    const first = await openStore(`sqlite:${path}`);
    await first.clients.create(client);
    await first.users.create(user);
    await first.grants.create(grant);
    await first.codes.create(code);
    assert.equal((await first.codes.consume(code.codeHash, T0 + 1)).outcome, 'redeemed');
    await first.close();

    for (let restart = 0; restart < 2; restart++) {
      const store = await openStore(`sqlite:${path}`, { synchronous: 'FULL' });
      assert.deepEqual(await store.clients.find(client.clientId), client);
      assert.deepEqual(await store.users.findByUsername(user.username), user);
      assert.deepEqual(await store.grants.find(grant.id), grant);
      // Single-use survives a restart.
      assert.equal((await store.codes.consume(code.codeHash, T0 + 2)).outcome, 'replayed');
      await store.close();
    }

    const migrations = inspect(path, (db) => db.prepare('SELECT name FROM portcullis_migrations ORDER BY name').all() as { name: string }[]);
    assert.deepEqual(
      migrations.map((m) => m.name),
      ['0001-initial', '0002-drop-unused-token-indexes', '0003-federation', '0004-client', '0005-refresh-tokens-on-grants', '0006-operations'],
    );

    const store = await openStore(`sqlite:${path}`);
    assert.equal((await store.grants.rotateRefreshToken(rotationOf(grant, T0 + 3)))?.refreshGeneration, 1);
    await store.close();
    // Rotation was written to the file, not only to a connection's cache.
    assert.equal(
      inspect(
        path,
        (db) => (db.prepare('SELECT refresh_generation FROM grants WHERE id = ?').get(grant.id) as { refresh_generation: number }).refresh_generation,
      ),
      1,
    );
  });

  it('with mustExist, refuses a missing file or one without Portcullis tables, and creates nothing', async () => {
    const missing = join(dir, 'absent', 'portcullis.db');
    await assert.rejects(openStore(`sqlite:${missing}`, { mustExist: true }), (error: unknown) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.equal(error.problem, 'missing');
      assert.equal(error.location, missing);
      return true;
    });
    assert.equal(existsSync(join(dir, 'absent')), false);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    await assert.rejects(
      openStore(`sqlite:${empty}`, { mustExist: true }),
      (error: unknown) => error instanceof DatabaseUnavailableError && error.problem === 'not-portcullis',
    );
    assert.ok(!readdirSync(dir).some((name) => name.startsWith('empty.db-')), 'no WAL files left');
    // An existing database opens as before.
    const path = join(dir, 'existing.db');
    await (await openStore(`sqlite:${path}`)).close();
    await (await openStore(`sqlite:${path}`, { mustExist: true })).close();
  });

  it('a path that cannot be a database is a cannot-open error naming it', async () => {
    await assert.rejects(
      openStore(`sqlite:${dir}`),
      (error: unknown) => error instanceof DatabaseUnavailableError && error.problem === 'cannot-open' && error.location === dir,
    );
  });
});

// PostgreSQL-only behaviour of the store: connections that the server closes under it.
const skip = await postgresSkipReason();

/** Terminates every backend connected to `database`, as a server restart or an admin would. */
async function terminateBackends(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const result = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    for (let i = 0; i < 100; i++) {
      const left = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database]);
      if (left.rows[0].n === 0) break;
      await delay(20);
    }
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('store on PostgreSQL: server-closed connections', { skip }, () => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await createPostgresDatabase();
    store = await database.open();
  });
  after(async () => {
    await store?.close();
    await database?.destroy();
  });

  it('survives the server terminating its idle connections, and reconnects', async () => {
    const user = userRecord();
    await store.users.create(user);
    const name = new URL(database.url).pathname.slice(1);
    assert.ok((await terminateBackends(name)) >= 1);
    // Let the pool's clients read the FATAL message; before the fix, this crashed the process.
    await delay(100);
    assert.deepEqual(await store.users.findById(user.id), user);
  });
});

describe('store on PostgreSQL: a server or database that is not there', () => {
  it('an unreachable server is an "unreachable" error whose location has no password', async () => {
    await assert.rejects(openStore('postgres://portcullis:hunter2@127.0.0.1:1/portcullis?password=hunter2'), (error: unknown) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.equal(error.problem, 'unreachable');
      assert.equal(error.location, 'postgres://portcullis@127.0.0.1:1/portcullis');
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
  });

  it('a database that does not exist is "no-such-database"', { skip }, async () => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = '/portcullis_no_such_database';
    await assert.rejects(openStore(url.href), (error: unknown) => error instanceof DatabaseUnavailableError && error.problem === 'no-such-database');
  });
});
