import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomSecret } from '../core/secrets.js';
import { parseDatabaseUrl } from '../store/index.js';
import { CliError } from './output.js';

/** The secrets found, or the file that will hold a new one (nothing is written yet). */
export type FoundMasterSecrets = { secrets: string[] } | { fileToCreate: string; previous: string[] };

/**
 * The master secrets that seal keys at rest, newest first: `PORTCULLIS_SECRET` (then any
 * comma-separated `PORTCULLIS_PREVIOUS_SECRETS` still needed to open old values), or the config's
 * `secret`. Without one, a SQLite deployment gets a random secret in a file next to its database
 * (docs/design.md); a PostgreSQL deployment must set one, because every instance needs the same.
 * Only checks and reads, so `serve` can refuse bad input before it creates anything.
 */
export function findMasterSecrets(options: { configSecret: string | undefined; db: string }): FoundMasterSecrets {
  const previous = (process.env['PORTCULLIS_PREVIOUS_SECRETS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // An empty variable counts as unset.
  const primary = process.env['PORTCULLIS_SECRET'] || options.configSecret;
  if (primary !== undefined) {
    if (primary.length < 32) throw new CliError('PORTCULLIS_SECRET must be at least 32 characters; generate one with `openssl rand -base64 48`');
    return { secrets: [primary, ...previous] };
  }
  const db = parseDatabaseUrl(options.db);
  if (db.dialect === 'postgres') {
    throw new CliError(
      'set PORTCULLIS_SECRET (at least 32 characters, the same on every instance) when using PostgreSQL; generate one with `openssl rand -base64 48`',
    );
  }
  const folder = db.path === ':memory:' ? process.cwd() : dirname(resolve(db.path));
  const file = join(folder, 'portcullis.secret');
  if (existsSync(file)) return { secrets: [readFileSync(file, 'utf8').trim(), ...previous] };
  return { fileToCreate: file, previous };
}

/** The found secrets, creating the secret file first if there was none (and saying so). */
export function masterSecretsFrom(found: FoundMasterSecrets, notice: (message: string) => void): string[] {
  if ('secrets' in found) return found.secrets;
  const file = found.fileToCreate;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${randomSecret(48)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  notice(`created a master secret in ${file} (keep it private and backed up with the database, or set PORTCULLIS_SECRET)`);
  return [readFileSync(file, 'utf8').trim(), ...found.previous];
}

/** {@link findMasterSecrets}, then {@link masterSecretsFrom}. */
export function loadMasterSecrets(options: { configSecret: string | undefined; db: string; notice: (message: string) => void }): string[] {
  return masterSecretsFrom(findMasterSecrets(options), options.notice);
}
