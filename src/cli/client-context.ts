import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientContext } from '../client/index.js';
import { canonicalResource } from '../core/resource-uri.js';
import { createKeyring } from '../core/seal.js';
import { openStore } from '../store/index.js';
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

export const CLIENT_DB_HELP = 'sqlite:PATH or postgres://… for the client tokens (default sqlite:$PORTCULLIS_HOME/portcullis-client.db, PORTCULLIS_HOME defaulting to ~/.portcullis)';
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
 * Opens the client store and the keyring that seals its tokens. The master secret comes from
 * `PORTCULLIS_SECRET`, or a private `portcullis.secret` next to a SQLite database (created on
 * first use, as `serve` does).
 */
export async function openClientContext(db: string, notice: (message: string) => void): Promise<ClientContext & { close(): Promise<void> }> {
  const secrets = loadMasterSecrets({ configSecret: undefined, db, notice });
  const store = await openStore(db);
  return { store, keyring: createKeyring(secrets), close: () => store.close() };
}
