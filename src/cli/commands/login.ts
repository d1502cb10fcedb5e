import type { Command } from 'commander';
import type { StoredServer } from '../../client/index.js';
import { CLIENT_DB_HELP, CLIENT_USER_HELP, DEFAULT_CLIENT_USER, defaultClientDb, openClientContext, parseServerUrl } from '../client-context.js';
import { CliError, printResult } from '../output.js';
import { terminalLogin } from '../terminal-login.js';

interface LoginOptions {
  db?: string;
  user: string;
  scope?: string;
  browser: boolean;
  timeout: string;
  json?: boolean;
}

/** What `login` and `tokens` show of a stored login: never a token. */
export function describeStoredServer(server: StoredServer) {
  return {
    server: server.serverUrl,
    issuer: server.issuer,
    client_id: server.clientId,
    scope: server.scope.join(' '),
    expires_at: server.accessExpiresAt === null ? null : new Date(server.accessExpiresAt * 1000).toISOString(),
    refreshable: server.hasRefreshToken,
  };
}

/** `--timeout`: seconds to wait for the browser to come back, 1 to 3600. */
export function parseTimeoutSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new CliError(`--timeout is a number of seconds from 1 to 3600, not "${value}"`);
  return seconds;
}

export function registerLoginCommand(program: Command): void {
  program
    .command('login <url>')
    .description('log in to an OAuth-protected MCP server from the terminal: opens the browser, takes the redirect on 127.0.0.1, stores the tokens sealed')
    .option('--db <url>', CLIENT_DB_HELP)
    .option('--user <id>', CLIENT_USER_HELP, DEFAULT_CLIENT_USER)
    .option('--scope <scope>', 'scope to ask for (space-separated) on top of what the server asks for (its challenge, else its scopes_supported)')
    .option('--no-browser', 'do not start a browser; print the URL to open instead')
    .option('--timeout <seconds>', 'how long to wait for the browser to come back', '300')
    .option('--json', 'print the stored login (server, issuer, scope, expiry; never a token) as JSON')
    .addHelpText(
      'after',
      '\nThe browser is PORTCULLIS_BROWSER (or BROWSER) if set, a command and arguments split on spaces, with %s for the URL;\n' +
        'otherwise xdg-open, open (macOS) or rundll32 (Windows). Tokens are sealed with PORTCULLIS_SECRET, or a private\n' +
        'portcullis.secret created next to the client database.',
    )
    .action(async (url: string, options: LoginOptions) => {
      const serverUrl = parseServerUrl(url);
      const timeoutMs = parseTimeoutSeconds(options.timeout) * 1000;
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const context = await openClientContext(options.db ?? defaultClientDb(), progress);
      try {
        const stored = await terminalLogin({
          context,
          userId: options.user,
          serverUrl,
          ...(options.scope !== undefined ? { scope: options.scope } : {}),
          noBrowser: !options.browser,
          timeoutMs,
          progress,
        });
        const shown = describeStoredServer(stored);
        printResult(
          Boolean(options.json),
          shown,
          () =>
            `logged in to ${shown.server} (issuer ${shown.issuer}, scope ${shown.scope || '(none)'}${shown.expires_at ? `, access token until ${shown.expires_at}` : ''})`,
        );
      } finally {
        await context.close();
      }
    });
}
