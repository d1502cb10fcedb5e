/** SQLite-only behaviour of the store: the database file across restarts. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseUnavailableError, openStore } from '../../src/store/index.js';
import { clientRecord, codeRecord, grantRecord, rotationOf, T0, userRecord } from '../support/store-records.js';

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
      ['0001-initial', '0002-drop-unused-token-indexes', '0003-federation', '0004-client', '0005-refresh-tokens-on-grants'],
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
