import { createServer } from 'node:net';
import { join } from 'node:path';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../../test/support/stores.js';
import { type BenchChild, startBenchChild } from '../support/bench-child.js';
import type { FlowTarget } from './flow-connection.js';
import { postgresBackendPids } from './postgres-server.js';
import { seedAccount, startServeInstance } from './serve-instance.js';

/** One server set-up of the benchmark, running: where the load goes and which processes serve it. */
export interface RunningCase {
  target: FlowTarget;
  /** The authorization server processes (their CPU is "server CPU"). */
  serverPids: number[];
  /** The proxy's process, when there is one (its CPU is counted apart). */
  proxyPid: number | undefined;
  /**
   * The database's own processes serving this case (PostgreSQL backends of its database), asked
   * once the load runs, so their CPU counts for the case and not as another process's.
   */
  databasePids(): Promise<number[]>;
  /** Stops every process and drops the database; returns what the proxy forwarded to each backend. */
  stop(): Promise<{ forwarded: number[] | undefined }>;
}

export interface CaseContext {
  cwd: string;
  /** A folder for this run's logs. */
  logDir: string;
  secret: string;
}

export interface FlowCase {
  id: string;
  label: string;
  start(context: CaseContext): Promise<RunningCase>;
}

/** A process's script run through tsx from the repository root. */
function startScript(context: CaseContext, name: string, script: string, args: readonly string[] = []): BenchChild {
  return startBenchChild({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', script, ...args],
    cwd: context.cwd,
    env: { NODE_ENV: 'production' },
    stderrFile: join(context.logDir, `${name}.log`),
  });
}

/** A free loopback port, for an issuer that must be known before the proxy listens on it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Metadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

/** Endpoints come from RFC 8414 metadata, never guessed (DESIGN.md). */
async function discover(origin: string): Promise<Metadata> {
  const response = await fetch(`${origin}/.well-known/oauth-authorization-server`);
  if (response.status !== 200) throw new Error(`metadata at ${origin}: status ${response.status}`);
  return (await response.json()) as Metadata;
}

/**
 * `count` `portcullis serve` instances on one fresh database, directly (`proxied` false, one
 * instance) or behind the round-robin proxy, whose origin is then every instance's issuer.
 */
function portcullisCase(id: string, label: string, dialect: 'sqlite' | 'postgres', count: number, proxied: boolean): FlowCase {
  return {
    id,
    label,
    async start(context) {
      const database: TestDatabase = dialect === 'sqlite' ? createSqliteDatabase() : await createPostgresDatabase();
      const children: BenchChild[] = [];
      let proxy: BenchChild | undefined;
      const stopAll = async () => {
        const forwarded = proxy === undefined ? undefined : proxy.nextMessage<number[]>('proxyForwarded', 15_000).catch(() => undefined);
        await Promise.all([...children, ...(proxy === undefined ? [] : [proxy])].map((child) => child.stop()));
        await database.destroy();
        return { forwarded: await forwarded };
      };
      try {
        const account = await seedAccount(database.url, context.secret);
        const proxyPort = proxied ? await freePort() : undefined;
        const issuer = proxyPort === undefined ? undefined : `http://127.0.0.1:${proxyPort}`;
        const instances = [];
        // One after the other: the first creates the signing key, the others find it.
        for (let i = 0; i < count; i++) {
          const instance = await startServeInstance({
            name: `${id}-serve-${i + 1}`,
            cwd: context.cwd,
            db: database.url,
            ...(issuer !== undefined ? { issuer } : {}),
            secret: context.secret,
            logDir: context.logDir,
          });
          children.push(instance.child);
          instances.push(instance);
        }
        let entrance = instances[0]!.url;
        if (proxyPort !== undefined) {
          proxy = startScript(context, `${id}-proxy`, 'bench/flow/proxy-process.ts', [
            '--port',
            String(proxyPort),
            ...instances.flatMap((i) => ['--backend', i.url]),
          ]);
          entrance = (await proxy.nextMessage<{ url: string }>('flowServer')).url;
        }
        const metadata = await discover(entrance);
        return {
          target: {
            issuer: metadata.issuer,
            authorizationEndpoint: metadata.authorization_endpoint,
            tokenEndpoint: metadata.token_endpoint,
            clientId: account.clientId,
            redirectUri: account.redirectUri,
            resource: instances[0]!.resource,
            scope: undefined,
            username: account.username,
            password: account.password,
          },
          serverPids: children.map((child) => child.pid),
          proxyPid: proxy?.pid,
          databasePids: () => (dialect === 'postgres' ? postgresBackendPids(database.url) : Promise.resolve([])),
          stop: stopAll,
        };
      } catch (error) {
        await stopAll();
        throw error;
      }
    },
  };
}

/**
 * A server that is one process of ours (the bare ceiling, oidc-provider): it prints
 * `{"flowServer":{"url":…}}` and serves its own metadata; `resource` and `scope` are what the
 * flows ask it for.
 */
function scriptCase(id: string, label: string, script: string, ask: (issuer: string) => { resource: string | undefined; scope: string | undefined }): FlowCase {
  return {
    id,
    label,
    async start(context) {
      const child = startScript(context, `${id}-server`, script);
      try {
        const { url } = await child.nextMessage<{ url: string }>('flowServer');
        const metadata = await discover(url);
        return {
          target: {
            issuer: metadata.issuer,
            authorizationEndpoint: metadata.authorization_endpoint,
            tokenEndpoint: metadata.token_endpoint,
            clientId: 'bench-flow-client',
            redirectUri: 'http://127.0.0.1:53124/callback',
            ...ask(metadata.issuer),
            username: 'unused',
            password: 'unused',
          },
          serverPids: [child.pid],
          proxyPid: undefined,
          databasePids: () => Promise.resolve([]),
          stop: async () => {
            await child.stop();
            return { forwarded: undefined };
          },
        };
      } catch (error) {
        await child.stop();
        throw error;
      }
    },
  };
}

/** Every case, in the order a round runs them. */
export const FLOW_CASES: readonly FlowCase[] = [
  portcullisCase('sqlite', 'Portcullis serve, SQLite file', 'sqlite', 1, false),
  portcullisCase('postgres', 'Portcullis serve, PostgreSQL', 'postgres', 1, false),
  portcullisCase('postgres-proxy-1', '1 × serve, PostgreSQL, via proxy', 'postgres', 1, true),
  portcullisCase('postgres-proxy-2', '2 × serve, PostgreSQL, via proxy', 'postgres', 2, true),
  scriptCase('oidc-provider', 'oidc-provider 9 (memory adapter)', 'bench/flow/oidc-provider-flow-server.ts', (issuer) => ({
    resource: `${issuer}/mcp`,
    scope: 'mcp',
  })),
  scriptCase('bare', 'bare node:http (ceiling)', 'bench/flow/bare-flow-server.ts', () => ({ resource: undefined, scope: undefined })),
];
