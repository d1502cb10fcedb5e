import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { type ServeStack, startServeStack } from '../../src/cli/serve-stack.js';
import { randomSecret } from '../../src/core/secrets.js';
import { DEMO_SERVER_SETTINGS, demoGatewaySettings } from '../../src/example/demo-settings.js';
import { type RunningNotesServer, startNotesServer } from '../../src/example/notes-server.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import type { GatewaySettings } from '../../src/resource/gateway-settings.js';
import { hashPassword } from '../../src/server/browser/password-hash.js';
import type { ServerSettings } from '../../src/server/config.js';
import { silentLogger } from '../../src/server/logger.js';
import type { Store } from '../../src/store/types.js';
import type { TestClock } from './clock.js';
import { TEST_SECRET } from './server.js';
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
 * in front of the example notes MCP server, on a fresh database. Except that the first challenge
 * names only the scopes a call needs (`challengeAllScopes: false`, unless `options.gateway` says
 * otherwise), so that tests exercise step-up.
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
    /** `serve --upstream`'s own defaults instead of the demo's scopes and policy (settings and gateway then add to those). */
    defaults?: boolean;
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
    settings: { ...(options.defaults === true ? {} : DEMO_SERVER_SETTINGS), ...options.settings },
    gateway:
      options.defaults === true
        ? { upstream: notes.url, ...options.gateway }
        : { ...demoGatewaySettings(notes.url), challengeAllScopes: false, ...options.gateway },
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
 *
 * Picked below Linux's ephemeral range (32768–60999), never by listening on port 0: a port the
 * kernel has just handed out and taken back is the next one it hands to the next `listen(0)` (the
 * target or the canary started a moment later), which then holds it when its owner comes to listen.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => probe.close(resolve));
      return port;
    }
  }
  throw new Error('no free loopback port between 20000 and 32000 after 50 tries');
}

/** What a CGI-style upstream saw: its environment's `HTTP_*` variables. */
export type CgiEnvironment = Record<string, string>;

export interface CgiStyleUpstream {
  /** Its endpoint, `http://127.0.0.1:PORT/mcp`. */
  readonly url: string;
  /** The environment of each request, in order. */
  readonly seen: CgiEnvironment[];
  close(): Promise<void>;
}

/**
 * A real node:http upstream that reads header names the way CGI, WSGI, Rack and PHP do: upper
 * case, every character other than a letter or digit as `_` (RFC 3875 §4.1.18 says `-`; Apache
 * httpd's `http2env` maps every non-alphanumeric one), prefixed `HTTP_`, and duplicates joined
 * with `, `. It answers each request with the environment it built, and opens a session
 * (`Mcp-Session-Id: cgi-session-1`) so session binding can be exercised.
 */
export async function startCgiStyleUpstream(): Promise<CgiStyleUpstream> {
  const seen: CgiEnvironment[] = [];
  const server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      const environment: CgiEnvironment = {};
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const variable = `HTTP_${req.rawHeaders[i]!.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
        const value = req.rawHeaders[i + 1]!;
        environment[variable] = variable in environment ? `${environment[variable]}, ${value}` : value;
      }
      seen.push(environment);
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { environment } });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Mcp-Session-Id': 'cgi-session-1' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    seen,
    close: () => closeHttpServer(server),
  };
}
