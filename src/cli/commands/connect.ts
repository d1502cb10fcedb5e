import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Command } from 'commander';
import { createMcpOAuth, listStoredServers, ReauthRequiredError } from '../../client/index.js';
import { startStdioBridge } from '../../client/stdio-bridge.js';
import { createLogger } from '../../server/logger.js';
import { CLIENT_DB_HELP, CLIENT_USER_HELP, DEFAULT_CLIENT_USER, defaultClientDb, isSameServer, openClientContext, parseServerUrl } from '../client-context.js';
import { CliError } from '../output.js';
import { cliClientMetadata, terminalLogin } from '../terminal-login.js';
import { parseTimeoutSeconds } from './login.js';

interface ConnectOptions {
  db?: string;
  user: string;
  scope?: string;
  login: boolean;
  browser: boolean;
  timeout: string;
  json?: boolean;
}

/** The redirect URI kept with the stored registration; a login in progress uses its own port (RFC 8252 §7.3). */
const BRIDGE_REDIRECT_URL = 'http://127.0.0.1/callback';

export function registerConnectCommand(program: Command): void {
  program
    .command('connect <url>')
    .description('be a stdio MCP server that relays to a remote OAuth-protected MCP server with the stored tokens (for stdio-only clients)')
    .option('--db <url>', CLIENT_DB_HELP)
    .option('--user <id>', CLIENT_USER_HELP, DEFAULT_CLIENT_USER)
    .option('--scope <scope>', 'scope to ask for, on top of what the server asks for, if a login is needed first')
    .option('--no-login', 'fail with a message instead of logging in when there are no stored tokens')
    .option('--no-browser', 'if a login is needed, print its URL on stderr instead of starting a browser')
    .option('--timeout <seconds>', 'how long a login waits for the browser', '300')
    .option('--json', 'notices on stderr as JSON lines, like the logs (stdout carries only JSON-RPC)')
    .addHelpText(
      'after',
      '\nstdout carries only JSON-RPC; notices and logs go to stderr. Example for a stdio client configuration:\n' +
        '  { "command": "portcullis", "args": ["connect", "https://mcp.example.com/mcp"] }\n' +
        'When the authorization server ends the login, connect exits with a message saying to run portcullis login URL.',
    )
    .action(async (url: string, options: ConnectOptions) => {
      const serverUrl = parseServerUrl(url);
      const timeoutMs = parseTimeoutSeconds(options.timeout) * 1000;
      const logger = createLogger();
      const notice = (message: string) => (options.json ? logger.info({ event: 'notice' }, message) : process.stderr.write(`portcullis: ${message}\n`));
      const loginHint = `run \`portcullis login ${serverUrl}\`${options.db !== undefined ? ` --db ${options.db}` : ''}${options.user !== DEFAULT_CLIENT_USER ? ` --user ${options.user}` : ''}`;
      const context = await openClientContext(options.db ?? defaultClientDb(), notice);
      try {
        const stored = (await listStoredServers(context.store, options.user)).some((s) => isSameServer(s.serverUrl, serverUrl));
        if (!stored) {
          if (!options.login) throw new CliError(`not logged in to ${serverUrl}: ${loginHint} first`);
          notice(`not logged in to ${serverUrl} yet; logging in first`);
          await terminalLogin({
            context,
            userId: options.user,
            serverUrl,
            ...(options.scope !== undefined ? { scope: options.scope } : {}),
            noBrowser: !options.browser,
            timeoutMs,
            progress: notice,
          });
          notice(`logged in to ${serverUrl}`);
        }
        if (process.stdin.isTTY)
          notice('connect speaks MCP (JSON-RPC) on stdin and stdout: add it to your MCP client as a stdio server rather than running it in a terminal');
        let ended: string | undefined;
        const oauth = createMcpOAuth({
          ...context,
          userId: options.user,
          serverUrl,
          redirectUrl: BRIDGE_REDIRECT_URL,
          clientMetadata: cliClientMetadata(BRIDGE_REDIRECT_URL),
          // A new browser login cannot happen in the middle of a stdio session: say what to do instead.
          onAuthorizationUrl: () => {
            ended ??= `${serverUrl} needs a new login (or more scope)`;
          },
        });
        const bridge = await startStdioBridge({
          serverUrl,
          authProvider: oauth,
          fetch: oauth.fetch,
          logger,
          onSendError: (error) => {
            if (causedBy(error, ReauthRequiredError)) ended = `the login for ${serverUrl} has ended (the authorization server no longer accepts it)`;
            else if (!causedBy(error, UnauthorizedError) || ended === undefined) return undefined;
            return 'close';
          },
        });
        const stop = () => void bridge.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const reason = await bridge.closed;
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        if (reason === 'remote-closed') throw new CliError(`${serverUrl} ended the MCP session; restart the MCP client to start a new one`);
        if (reason === 'send-error') throw new CliError(`${ended ?? `lost the connection to ${serverUrl}`}: ${loginHint}, then restart the MCP client`);
      } finally {
        await context.close();
      }
    });
}

/** Whether `error` or any error in its `cause` chain is a `type`. */
function causedBy(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}
