/**
 * The one place the storage contract (src/store/types.ts) loops over the dialects: each
 * `test/store/contract/<concern>.test.ts` defines its tests once and runs them on SQLite and on
 * PostgreSQL. Each concern gets a fresh database, destroyed afterwards. Times are explicit Unix seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { CodeRedemption, Store } from '../../../src/store/index.js';
import { createTestDatabase, DIALECTS, postgresSkipReason, type TestDatabase } from '../../support/stores.js';

export type Dialect = (typeof DIALECTS)[number];

/**
 * Defines `suite: <dialect>` for every dialect, with `defineTests(dialect)` inside. PostgreSQL is
 * skipped (with the reason) when it cannot be reached outside CI, as `postgresSkipReason` decides.
 */
export async function describeOnEveryDialect(suite: string, defineTests: (dialect: Dialect) => void): Promise<void> {
  for (const dialect of DIALECTS) {
    const skip = dialect === 'postgres' ? await postgresSkipReason() : false;
    describe(`${suite}: ${dialect}`, { skip }, () => defineTests(dialect));
  }
}

export interface FreshStore {
  readonly store: Store;
  readonly database: TestDatabase;
  /** Opens a second store (a second SQLite connection / a second PostgreSQL pool) on the same database. */
  openAnother(): Promise<Store>;
  /** Closes the main store and opens it again (migrations run again). */
  reopen(): Promise<Store>;
}

/** Registers before/after hooks in the current describe: a fresh database for its tests. */
export function useFreshStore(dialect: Dialect): FreshStore {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  const others: Store[] = [];
  before(async () => {
    database = await createTestDatabase(dialect);
    store = await database.open();
  });
  after(async () => {
    for (const other of others) await other.close();
    await store?.close();
    await database?.destroy();
  });
  return {
    get store() {
      assert.ok(store, 'store not open');
      return store;
    },
    get database() {
      assert.ok(database, 'database not created');
      return database;
    },
    async openAnother() {
      assert.ok(database);
      const other = await database.open();
      others.push(other);
      return other;
    },
    async reopen() {
      assert.ok(database && store);
      await store.close();
      store = undefined;
      store = await database.open();
      return store;
    },
  };
}

/** Runs the operations one after another, collecting errors instead of stopping at the first. */
export async function runAll(operations: (() => Promise<unknown>)[]): Promise<string[]> {
  const errors: string[] = [];
  for (const operation of operations) {
    try {
      await operation();
    } catch (error) {
      errors.push(`${String(error)} (${String((error as { code?: unknown }).code)})`);
    }
  }
  return errors;
}

export function assertRedeemed(result: CodeRedemption): asserts result is Extract<CodeRedemption, { outcome: 'redeemed' }> {
  assert.equal(result.outcome, 'redeemed');
}
