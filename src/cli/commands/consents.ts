import type { Command } from 'commander';
import { createSecurityEvents } from '../../server/events/security-events.js';
import { silentLogger } from '../../server/logger.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { CliError, printResult, table } from '../output.js';
import { withExistingStore } from '../with-store.js';

export function registerConsentsCommand(program: Command): void {
  const consents = program.command('consents').description('see and revoke the clients a user approved');

  consents
    .command('list <username>')
    .description('list the clients a user approved, with scopes')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (username: string, options: { db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        const user = await store.users.findByUsername(username);
        if (user === undefined) throw new CliError(`no user named ${username}`);
        const list = (await store.consents.listForUser(user.id)).map((c) => ({
          client_id: c.clientId,
          scope: c.scope.join(' '),
          updated_at: new Date(c.updatedAt * 1000).toISOString(),
        }));
        printResult(Boolean(options.json), list, () =>
          list.length === 0
            ? 'no consents'
            : table(
                ['CLIENT ID', 'SCOPE', 'UPDATED'],
                list.map((c) => [c.client_id, c.scope, c.updated_at]),
              ),
        );
      });
    });

  consents
    .command('revoke <username> <clientId>')
    .description("forget the user's approval of a client and revoke the client's tokens for that user")
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (username: string, clientId: string, options: { db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        const user = await store.users.findByUsername(username);
        if (user === undefined) throw new CliError(`no user named ${username}`);
        const existed = await store.consents.revoke(user.id, clientId, Math.floor(Date.now() / 1000));
        if (!existed) throw new CliError(`${username} has no consent for ${clientId}; see portcullis consents list ${username}`);
        const events = createSecurityEvents({ store: store.securityEvents, logger: silentLogger });
        await events.record({ type: 'consent_revoked', userId: user.id, clientId, outcome: 'revoked', detail: { by: 'cli' } });
        printResult(Boolean(options.json), { revoked: clientId, username }, () => `revoked ${username}'s consent for ${clientId} and its tokens`);
      });
    });
}
