import type { Command } from 'commander';
import { listStoredServers } from '../../client/index.js';
import { CLIENT_DB_HELP, CLIENT_USER_HELP, clientDatabaseMayHoldLogins, DEFAULT_CLIENT_USER, defaultClientDb } from '../client-context.js';
import { printResult, table } from '../output.js';
import { withStore } from '../with-store.js';
import { describeStoredServer } from './login.js';

export function registerTokensCommand(program: Command): void {
  program
    .command('tokens')
    .description('list the MCP servers you are logged in to, with issuer, scope and expiry (never a token)')
    .option('--db <url>', CLIENT_DB_HELP)
    .option('--user <id>', CLIENT_USER_HELP, DEFAULT_CLIENT_USER)
    .option('--json', 'machine-readable output')
    .action(async (options: { db?: string; user: string; json?: boolean }) => {
      const db = options.db ?? defaultClientDb();
      // Listing never creates the client database: none yet means no logins yet.
      const list = clientDatabaseMayHoldLogins(db)
        ? await withStore(db, async (store) => (await listStoredServers(store.mcpClient, options.user)).map(describeStoredServer))
        : [];
      printResult(Boolean(options.json), list, () =>
        list.length === 0
          ? 'not logged in to any MCP server; log in with portcullis login URL'
          : table(
              ['SERVER', 'ISSUER', 'SCOPE', 'EXPIRES', 'REFRESH'],
              list.map((s) => [s.server, s.issuer, s.scope, expiry(s.expires_at), s.refreshable ? 'yes' : 'no']),
            ),
      );
    });
}

/** The access token's expiry for people: marked when past (a refresh renews it on next use). */
function expiry(expiresAt: string | null): string {
  if (expiresAt === null) return '-';
  return Date.parse(expiresAt) <= Date.now() ? `${expiresAt} (expired)` : expiresAt;
}
