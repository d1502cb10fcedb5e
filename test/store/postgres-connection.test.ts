/** PostgreSQL-only behaviour of the store: connections that the server closes under it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { DatabaseUnavailableError, openStore, type Store } from '../../src/store/index.js';
import { userRecord } from '../support/store-records.js';
import { createPostgresDatabase, POSTGRES_ADMIN_URL, postgresSkipReason, type TestDatabase } from '../support/stores.js';

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
