import type { Command } from 'commander';
import { createKeyring } from '../../core/seal.js';
import { systemClock } from '../../server/clock.js';
import { createSecurityEvents } from '../../server/events/security-events.js';
import { silentLogger } from '../../server/logger.js';
import { createSigningKeys, DEFAULT_KEY_RELOAD_SECONDS } from '../../server/tokens/signing-keys.js';
import { readConfigFile } from '../config-file.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { findMasterSecrets, masterSecretsFrom } from '../master-secret.js';
import { printResult } from '../output.js';
import { withExistingStore } from '../with-store.js';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage the keys that sign access tokens');

  keys
    .command('rotate')
    .description('add a new signing key: published at once, signing once every instance publishes it; the old key stays published until its tokens expire')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--config <file>', 'JSON config file (for accessTokenTtlSeconds, signingKeys.reloadSeconds and secret)')
    .option(
      '--now',
      'sign with the new key at once and retire the old one now (a compromised key); verifiers may refuse new tokens until they fetch the JWKS again',
    )
    .option('--json', 'machine-readable output')
    .action(async (options: { db: string; config?: string; now?: boolean; json?: boolean }) => {
      const file = readConfigFile(options.config);
      const found = findMasterSecrets({ configSecret: file.secret, db: options.db });
      // The database must be there: rotating the keys of a database that a typo in --db named would
      // create it, and a master secret beside it, for no server.
      await withExistingStore(options.db, async (store) => {
        const secrets = masterSecretsFrom(found, (m) => process.stderr.write(`${m}\n`));
        const reloadSeconds = file.signingKeys?.reloadSeconds ?? DEFAULT_KEY_RELOAD_SECONDS;
        const signingKeys = createSigningKeys(store.signingKeys, createKeyring(secrets), systemClock, file.accessTokenTtlSeconds ?? 600, reloadSeconds);
        const kid = await signingKeys.rotate({ immediately: Boolean(options.now) });
        const published = (await signingKeys.jwks()).keys.map((k) => k.kid);
        const events = createSecurityEvents({ store: store.securityEvents, logger: silentLogger });
        await events.record({ type: 'key_rotated', outcome: 'rotated', detail: { kid, by: 'cli', immediately: Boolean(options.now) } });
        const signsFrom = new Date(Date.now() + (options.now ? 0 : signingKeys.activationDelaySeconds * 1000)).toISOString();
        printResult(Boolean(options.json), { kid, published, signs_from: signsFrom, immediately: Boolean(options.now) }, () =>
          options.now
            ? `signing with ${kid} now (every running server within ${reloadSeconds} s); published keys: ${published.join(', ')}`
            : `added ${kid}: every running server publishes it within ${reloadSeconds} s and signs with it from ${signsFrom}; published keys: ${published.join(', ')}`,
        );
      });
    });
}
