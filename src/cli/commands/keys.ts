import type { Command } from 'commander';
import { createKeyring } from '../../core/seal.js';
import { systemClock } from '../../server/clock.js';
import { createSigningKeys } from '../../server/signing-keys.js';
import { withStore } from '../with-store.js';
import { readConfigFile } from '../config-file.js';
import { loadMasterSecrets } from '../master-secret.js';
import { printResult } from '../output.js';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage the keys that sign access tokens');

  keys
    .command('rotate')
    .description('start signing with a new key; the old public key stays published until its tokens expire')
    .option('--db <url>', 'sqlite:PATH or postgres://…', 'sqlite:./portcullis.db')
    .option('--config <file>', 'JSON config file (for accessTokenTtlSeconds and secret)')
    .option('--json', 'machine-readable output')
    .action(async (options: { db: string; config?: string; json?: boolean }) => {
      const file = readConfigFile(options.config);
      const secrets = loadMasterSecrets({ configSecret: file.secret, db: options.db, notice: (m) => process.stderr.write(`${m}\n`) });
      await withStore(options.db, async (store) => {
        const signingKeys = createSigningKeys(store.signingKeys, createKeyring(secrets), systemClock, file.accessTokenTtlSeconds ?? 600);
        const kid = await signingKeys.rotate();
        const published = (await signingKeys.jwks()).keys.map((k) => k.kid);
        printResult(Boolean(options.json), { kid, published }, () => `now signing with ${kid}; published keys: ${published.join(', ')} (running servers pick it up within a minute)`);
      });
    });
}
