import { DatabaseUnavailableError, type DatabaseUrl, openStore, parseDatabaseUrl, type Store } from '../store/index.js';
import { CliError } from './output.js';

export interface StoreUse {
  /** The database must exist and is never created (see {@link withExistingStore}). */
  mustExist: boolean;
  /** How the database was named, for messages: `--db` (default) or `"db" in FILE`. */
  name?: string;
}

/** Opens the store named by `--db`; every failure is one CliError line that says what to do. */
export async function openCliStore(db: string, use: StoreUse): Promise<Store> {
  const name = use.name ?? '--db';
  let url: DatabaseUrl;
  try {
    url = parseDatabaseUrl(db, name);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  try {
    return await openStore(url, { mustExist: use.mustExist });
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) throw new CliError(describeUnavailableDatabase(error, name));
    throw error;
  }
}

/** Opens the store named by `--db` (creating it if needed), runs `work`, and always closes it. */
export function withStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  return runWithStore(db, { mustExist: false }, work);
}

/**
 * {@link withStore} for commands that list or change what is there: a missing database is an
 * error that says where it looked, and nothing is created.
 */
export function withExistingStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  return runWithStore(db, { mustExist: true }, work);
}

async function runWithStore<T>(db: string, use: StoreUse, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openCliStore(db, use);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** One line: which database, what is wrong, and what to change (never a password: `location` has none). */
export function describeUnavailableDatabase(error: DatabaseUnavailableError, name: string): string {
  const { location, detail } = error;
  switch (error.problem) {
    case 'missing':
      return `no database at ${location}: check ${name} (portcullis serve creates the database on its first start)`;
    case 'not-portcullis':
      return `${location} is not a Portcullis database (${detail}): check ${name} (portcullis serve creates the tables on its first start)`;
    case 'unreachable':
      return `cannot reach PostgreSQL at ${location} (${detail}): start the server, or fix the host and port in ${name}`;
    case 'no-such-database':
      return `the PostgreSQL database ${location} does not exist: create it (CREATE DATABASE ${location.slice(location.lastIndexOf('/') + 1) || 'NAME'}) or fix the name in ${name}`;
    case 'login-refused':
      return `PostgreSQL at ${location} refused the login (${detail}): check the user and password in ${name}`;
    case 'cannot-open':
      return `cannot open the database at ${location} (${detail}): check ${name}`;
  }
}
