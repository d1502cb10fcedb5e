import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ClientContext } from '../client/index.js';
import { canonicalResource } from '../core/resource-uri.js';
import { createKeyring } from '../core/seal.js';
import { openStore, parseDatabaseUrl } from '../store/index.js';
import { loadMasterSecrets } from './master-secret.js';
import { CliError } from './output.js';

/**
 * Where `portcullis login`, `logout`, `tokens` and `connect` keep a person's client tokens: a
 * database of its own, apart from a server's `./portcullis.db`, in `PORTCULLIS_HOME` (default
 * `~/.portcullis`), so a login works from any directory and never mixes with a server's tables.
 */
export function defaultClientDb(env: Record<string, string | undefined> = process.env): string {
  const home = env['PORTCULLIS_HOME'] || join(homedir(), '.portcullis');
  return `sqlite:${join(home, 'portcullis-client.db')}`;
}

/** The app user the CLI holds tokens for, unless `--user` names another. */
export const DEFAULT_CLIENT_USER = 'default';

export const CLIENT_DB_HELP =
  'sqlite:PATH or postgres://… for the client tokens (default sqlite:$PORTCULLIS_HOME/portcullis-client.db, PORTCULLIS_HOME defaulting to ~/.portcullis)';
export const CLIENT_USER_HELP = `whose tokens these are, for several people on one machine or database`;

/** Checks a server URL given on the command line: absolute http(s), no fragment; returns its canonical form. */
export function parseServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`"${value}" is not a URL; give the MCP server's address, e.g. https://mcp.example.com/mcp`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError(`the MCP server URL must be https (or http on loopback), not ${url.protocol}`);
  if (url.hash !== '') throw new CliError('the MCP server URL must not have a #fragment');
  return canonicalResource(url.href);
}

/** Whether a stored server URL is the one asked for (compared in canonical form). */
export function isSameServer(stored: string, asked: string): boolean {
  return canonicalResource(stored) === canonicalResource(asked);
}

/**
 * Makes a SQLite client database private to its owner (0600) before SQLite opens it: created
 * that way when new, narrowed when an older one is wider. SQLite gives its `-wal` and `-shm`
 * files the database file's mode, so they follow; any already there are narrowed too. The tokens
 * in it are sealed, but who logged in where, and when, is nobody else's business either.
 */
export function makeClientDatabasePrivate(db: string): void {
  const parsed = parseDatabaseUrl(db);
  if (parsed.dialect !== 'sqlite' || parsed.path === ':memory:') return;
  const file = resolve(parsed.path);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

/**
 * Whether there can be logins in this client database: false for a SQLite file that does not
 * exist yet (nobody logged in with it), so `tokens` and `logout` answer without creating it or
 * its secret. A PostgreSQL URL is always opened (its errors say what is wrong).
 */
export function clientDatabaseMayHoldLogins(db: string): boolean {
  const parsed = parseDatabaseUrl(db);
  return parsed.dialect !== 'sqlite' || parsed.path === ':memory:' || existsSync(resolve(parsed.path));
}

/**
 * Opens the client store and the keyring that seals its tokens. The master secret comes from
 * `PORTCULLIS_SECRET`, or a private `portcullis.secret` next to a SQLite database (created on
 * first use, as `serve` does); a SQLite database is made private to its owner first.
 */
export async function openClientContext(db: string, notice: (message: string) => void): Promise<ClientContext & { close(): Promise<void> }> {
  const secrets = loadMasterSecrets({ configSecret: undefined, db, notice });
  makeClientDatabasePrivate(db);
  const store = await openStore(db);
  return { store: store.mcpClient, keyring: createKeyring(secrets), close: () => store.close() };
}
