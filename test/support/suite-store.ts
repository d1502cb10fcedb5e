/** A fresh SQLite store for one suite of unit tests that write rows through the real store. */
import { after, before } from 'node:test';
import type { Store } from '../../src/store/types.js';
import { createSqliteDatabase, type TestDatabase } from './stores.js';

export interface SuiteStore {
  readonly database: TestDatabase;
  readonly store: Store;
}

/** Opens a fresh SQLite store before the suite's tests (call it inside `describe`) and deletes it after. */
export function sqliteStoreForSuite(): SuiteStore {
  let opened: SuiteStore | undefined;
  before(async () => {
    const database = createSqliteDatabase();
    opened = { database, store: await database.open() };
  });
  after(async () => {
    await opened?.store.close();
    await opened?.database.destroy();
  });
  const current = () => {
    if (opened === undefined) throw new Error('the suite store is open only while its tests run');
    return opened;
  };
  return {
    get database() {
      return current().database;
    },
    get store() {
      return current().store;
    },
  };
}
