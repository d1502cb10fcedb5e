import type { Logger } from 'pino';
import { randomSecret } from '../../src/core/secrets.js';
import { type AuthorizationServer, createAuthorizationServer } from '../../src/server/app.js';
import { hashPassword } from '../../src/server/browser/password-hash.js';
import type { ServerSettings } from '../../src/server/config.js';
import { listen, type RunningHttpServer } from '../../src/server/http/listen.js';
import type { Store } from '../../src/store/types.js';
import type { TestClock } from './clock.js';
import { createTestDatabase, type TestDatabase } from './stores.js';

export const TEST_SECRET = 'test-master-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface TestServer {
  /** The issuer, `http://127.0.0.1:PORT`. */
  url: string;
  server: AuthorizationServer;
  http: RunningHttpServer;
  store: Store;
  database: TestDatabase;
  clock: TestClock | undefined;
  addUser(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a real authorization server over loopback HTTP on a fresh database. The issuer uses the
 * port picked at listen time.
 */
export async function startTestServer(
  options: { dialect?: 'sqlite' | 'postgres'; settings?: Partial<ServerSettings>; clock?: TestClock; logger?: Logger } = {},
): Promise<TestServer> {
  const database = await createTestDatabase(options.dialect ?? 'sqlite');
  const store = await database.open();
  let server: AuthorizationServer | undefined;
  const http = await listen((request, env) => server!.app.fetch(request, env), {
    port: 0,
    host: '127.0.0.1',
    nodeRoute: (request, response) => server?.nodeRoute(request, response) ?? false,
  });
  server = await createAuthorizationServer({
    settings: { issuer: http.url, ...options.settings },
    store,
    secrets: [TEST_SECRET],
    sweepIntervalMs: false,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    url: http.url,
    server,
    http,
    store,
    database,
    clock: options.clock,
    async addUser(username, password) {
      const id = randomSecret(12);
      await store.users.create({ id, username, passwordHash: await hashPassword(password), createdAt: Math.floor(Date.now() / 1000) });
      return id;
    },
    async close() {
      server?.close();
      await http.close();
      await store.close();
      await database.destroy();
    },
  };
}
