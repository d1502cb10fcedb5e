import type { Command } from 'commander';
import { randomIdentifier, randomSecret } from '../../core/secrets.js';
import { DEMO_SERVER_SETTINGS, demoGatewaySettings } from '../../example/demo-settings.js';
import { startNotesServer } from '../../example/notes-server.js';
import { hashPassword } from '../../server/browser/password-hash.js';
import type { Store } from '../../store/types.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { parsePort, runServer } from './serve.js';

const DEMO_USER = 'demo';

/**
 * The demo user, with a new random password each start: it is printed once and stored only as an
 * scrypt hash, so the person at the terminal always holds a working one.
 */
async function resetDemoUser(store: Store): Promise<string> {
  const password = randomSecret(12);
  const passwordHash = await hashPassword(password);
  if (!(await store.users.setPasswordHash(DEMO_USER, passwordHash))) {
    await store.users.create({ id: randomIdentifier(12), username: DEMO_USER, passwordHash, createdAt: Math.floor(Date.now() / 1000) });
  }
  return password;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the authorization server and the gateway in front of the bundled example MCP server (npm start)')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'print the startup summary (demo password included) and the logs as JSON (logs are JSON anyway when not on a terminal)')
    .action(async (options: { port: string; host: string; db: string; json?: boolean }) => {
      const port = parsePort(options.port);
      const notes = await startNotesServer({ port: 0, host: '127.0.0.1' });
      await runServer({
        port,
        portHint: 'from a checkout: npm start -- --port 8081',
        host: options.host,
        issuer: undefined,
        db: options.db,
        dbFromFlag: false,
        configSecret: undefined,
        settings: DEMO_SERVER_SETTINGS,
        gateway: demoGatewaySettings(notes.url),
        json: Boolean(options.json),
        onReady: async (_stack, store) => ({ demoUser: { username: DEMO_USER, password: await resetDemoUser(store) } }),
        describe: (stack, extra) => {
          const { password } = (extra as { demoUser: { password: string } }).demoUser;
          const mcp = stack.gateway!.resource;
          return [
            '',
            `Demo user: ${DEMO_USER} / ${password}   (printed once; a new one on every start)`,
            '',
            'Connect an MCP client to the protected server:',
            `  Claude Code      claude mcp add --transport http notes ${mcp}`,
            `  MCP Inspector    npx @modelcontextprotocol/inspector@1.0.3   (Streamable HTTP, URL ${mcp}, Connect)`,
            '                   (not the 0.15.0 plain npx picks on Node 20: it sends resource=undefined)',
            '  The client registers itself, opens the login page, and asks for notes:read and notes:write',
            '  at once, so delete_note works in clients that cannot step up (docs/gateway.md).',
            '',
            'Stop with Ctrl-C.',
          ];
        },
        onClose: () => notes.close(),
      });
    });
}
