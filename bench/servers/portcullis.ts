/**
 * Portcullis as the refresh-token benchmark runs it: the real server (src/server) on a SQLite file
 * in a temporary folder, logger silent, sweeper off. One public client and, per requested token,
 * one grant with one refresh token are written straight through the store API, so the load
 * measures the refresh grant only.
 *
 *   node --import tsx bench/servers/portcullis.ts --tokens 10   (then `seed N` lines on stdin)
 *
 * With PORTCULLIS_BENCH_METRICS=1 in its environment, the server counts its metrics as `serve
 * --metrics-port` does (bench/metrics-cost.ts measures what that costs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomSecret } from '../../src/core/secrets.js';
import { createPortcullisMetrics } from '../../src/metrics/portcullis-metrics.js';
import { type AuthorizationServer, createAuthorizationServer } from '../../src/server/app.js';
import { listen } from '../../src/server/http/listen.js';
import { openStore } from '../../src/store/index.js';
import { serveBenchmark } from '../support/announcement.js';

const CLIENT_ID = 'bench-client';

const folder = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
const store = await openStore(`sqlite:${join(folder, 'bench.db')}`);
let server: AuthorizationServer | undefined;
const http = await listen((request, env) => server!.app.fetch(request, env), {
  port: 0,
  host: '127.0.0.1',
  nodeRoute: (request, response) => server?.nodeRoute(request, response) ?? false,
});
server = await createAuthorizationServer({
  settings: { issuer: http.url },
  store,
  secrets: [randomSecret(32)],
  sweepIntervalMs: false,
  ...(process.env['PORTCULLIS_BENCH_METRICS'] === '1' ? { metrics: createPortcullisMetrics() } : {}),
});
const { config, paths } = server;

const scope = ['mcp'];
await store.clients.create({
  clientId: CLIENT_ID,
  secretHash: null,
  tokenEndpointAuthMethod: 'none',
  redirectUris: ['http://127.0.0.1/callback'],
  grantTypes: ['authorization_code', 'refresh_token'],
  clientName: 'Benchmark client',
  scope: null,
  metadata: {},
  source: 'static',
  createdAt: Math.floor(Date.now() / 1000),
});

/** One grant with its first refresh token per connection, stored as the authorization-code grant stores it. */
async function seed(count: number): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const refreshTokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const grantId = randomSecret(16);
    await store.grants.create({
      id: grantId,
      clientId: CLIENT_ID,
      userId: `bench-user-${grantId}`,
      scope,
      resource: config.resources[0]!.uri,
      createdAt: now,
      revokedAt: null,
      refreshGeneration: 0,
      refreshExpiresAt: now + config.refreshTokenTtlSeconds,
      lastUsedAt: now,
    });
    refreshTokens.push(server!.mintRefreshToken({ grantId, generation: 0 }));
  }
  return refreshTokens;
}

await serveBenchmark({
  url: http.url,
  tokenPath: paths.token,
  clientId: CLIENT_ID,
  rotates: true,
  seed,
  async close() {
    server?.close();
    await http.close();
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  },
});
