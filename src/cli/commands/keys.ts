import type { Command } from 'commander';
import { createKeyring } from '../../core/seal.js';
import { systemClock } from '../../server/clock.js';
import { createSigningKeys } from '../../server/tokens/signing-keys.js';
import { readConfigFile } from '../config-file.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { findMasterSecrets, masterSecretsFrom } from '../master-secret.js';
import { printResult } from '../output.js';
import { withExistingStore } from '../with-store.js';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage the keys that sign access tokens');

  keys
    .command('rotate')
    .description('start signing with a new key; the old public key stays published until its tokens expire')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--config <file>', 'JSON config file (for accessTokenTtlSeconds and secret)')
    .option('--json', 'machine-readable output')
    .action(async (options: { db: string; config?: string; json?: boolean }) => {
      const file = readConfigFile(options.config);
      const found = findMasterSecrets({ configSecret: file.secret, db: options.db });
      // The database must be there: rotating the keys of a database that a typo in --db named would
      // create it, and a master secret beside it, for no server.
      await withExistingStore(options.db, async (store) => {
        const secrets = masterSecretsFrom(found, (m) => process.stderr.write(`${m}\n`));
        const signingKeys = createSigningKeys(store.signingKeys, createKeyring(secrets), systemClock, file.accessTokenTtlSeconds ?? 600);
        const kid = await signingKeys.rotate();
        const published = (await signingKeys.jwks()).keys.map((k) => k.kid);
        printResult(
          Boolean(options.json),
          { kid, published },
          () => `now signing with ${kid}; published keys: ${published.join(', ')} (running servers pick it up within a minute)`,
        );
      });
    });
}
