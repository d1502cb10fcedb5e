import type { Command } from 'commander';
import { removeServer } from '../../client/index.js';
import {
  CLIENT_DB_HELP,
  CLIENT_USER_HELP,
  clientDatabaseMayHoldLogins,
  DEFAULT_CLIENT_USER,
  defaultClientDb,
  openClientContext,
  parseServerUrl,
} from '../client-context.js';
import { CliError, printResult } from '../output.js';

export function registerLogoutCommand(program: Command): void {
  program
    .command('logout <url>')
    .description('revoke the stored tokens for an MCP server at its authorization server (RFC 7009) and delete them')
    .option('--db <url>', CLIENT_DB_HELP)
    .option('--user <id>', CLIENT_USER_HELP, DEFAULT_CLIENT_USER)
    .option('--json', 'machine-readable output')
    .action(async (url: string, options: { db?: string; user: string; json?: boolean }) => {
      const serverUrl = parseServerUrl(url);
      const db = options.db ?? defaultClientDb();
      if (!clientDatabaseMayHoldLogins(db)) throw new CliError(`not logged in to ${serverUrl}; see portcullis tokens`);
      const context = await openClientContext(db, (m) => process.stderr.write(`${m}\n`));
      try {
        const result = await removeServer(context, options.user, serverUrl);
        if (result.removed.length === 0) throw new CliError(`not logged in to ${serverUrl}; see portcullis tokens`);
        printResult(Boolean(options.json), { server: serverUrl, ...result }, () =>
          result.revokeFailures === 0
            ? `logged out of ${serverUrl}: tokens revoked and deleted`
            : `logged out of ${serverUrl}: tokens deleted, but the authorization server did not confirm revoking ${result.revokeFailures} of them (they end when they expire)`,
        );
      } finally {
        await context.close();
      }
    });
}
