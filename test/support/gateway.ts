import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { startServeStack, type ServeStack } from '../../src/cli/serve-stack.js';
import { randomSecret } from '../../src/core/secrets.js';
import { DEMO_SERVER_SETTINGS, demoGatewaySettings } from '../../src/example/demo-settings.js';
import { startNotesServer, type RunningNotesServer } from '../../src/example/notes-server.js';
import type { GatewaySettings } from '../../src/resource/gateway-settings.js';
import type { ServerSettings } from '../../src/server/config.js';
import { silentLogger } from '../../src/server/logger.js';
import { hashPassword } from '../../src/server/password-hash.js';
import type { Store } from '../../src/store/types.js';
import { TEST_SECRET, type TestClock } from './server.js';
import { createTestDatabase, type TestDatabase } from './stores.js';

export interface TestGateway {
  /** The issuer, `http://127.0.0.1:PORT`. */
  issuer: string;
  /** The protected MCP endpoint, `<issuer>/mcp`. */
  mcpUrl: string;
  stack: ServeStack;
  store: Store;
  notes: RunningNotesServer;
  addUser(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * What `portcullis demo` runs, on loopback: the authorization server and the gateway on one port,
 * in front of the example notes MCP server, on a fresh database.
 */
export async function startTestGateway(
  options: {
    dialect?: 'sqlite' | 'postgres';
    settings?: Partial<ServerSettings>;
    gateway?: Partial<GatewaySettings>;
    clock?: TestClock;
    logger?: Logger;
    port?: number;
    /** Wraps the store the server uses (to count what it does, e.g. refresh rotations). */
    wrapStore?: (store: Store) => Store;
  } = {},
): Promise<TestGateway> {
  const database: TestDatabase = await createTestDatabase(options.dialect ?? 'sqlite');
  const opened = await database.open();
  const store = options.wrapStore?.(opened) ?? opened;
  const notes = await startNotesServer({ port: 0, host: '127.0.0.1' });
  const stack = await startServeStack({
    store,
    secrets: [TEST_SECRET],
    logger: options.logger ?? silentLogger,
    port: options.port ?? 0,
    host: '127.0.0.1',
    settings: { ...DEMO_SERVER_SETTINGS, ...options.settings },
    gateway: { ...demoGatewaySettings(notes.url), ...options.gateway },
    sweepIntervalMs: false,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
  return {
    issuer: stack.server.config.issuer,
    mcpUrl: stack.gateway!.resource,
    stack,
    store,
    notes,
    async addUser(username, password) {
      const id = randomSecret(12);
      await store.users.create({ id, username, passwordHash: await hashPassword(password), createdAt: Math.floor(Date.now() / 1000) });
      return id;
    },
    async close() {
      await stack.close();
      await notes.close();
      await store.close();
      await database.destroy();
    },
  };
}

/**
 * A loopback port free a moment ago, for a server whose URL must be known before it starts (a
 * redirect URI registered at an upstream identity provider that itself must start first).
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
