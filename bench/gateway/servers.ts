/**
 * The servers of the gateway benchmark, one per process: `node --import tsx bench/gateway/servers.ts
 * --kind K`. Each listens on loopback, prints one line `{"gatewayBench":{"url":…,"token":…}}` and
 * runs until its stdin closes. Every one answers POST /mcp (a JSON-RPC `tools/list`) with the same
 * small JSON-RPC body; they differ only in what stands before that answer.
 *
 * - `bare`: node:http, nothing checked (the ceiling; also the upstream called directly).
 * - `guard-node`: the same listener behind `protectNodeHttpListener` with the JWT verifier and
 *   its verified-token cache: bare plus the check.
 * - `hono`: nothing checked, on the gateway's HTTP stack (Hono on @hono/node-server).
 * - `guard-hono`: that app with `bearerAuth` in front.
 * - `sdk-express`: the MCP SDK's `requireBearerAuth` on Express 5, with a jose verifier against the
 *   same JWKS, as an SDK user writes it (the SDK has no cache).
 * - `gateway`: `portcullis serve --upstream` (authorization server + gateway) in front of a bare
 *   upstream in this process: check, session handling, signed identity headers, proxy.
 *
 * With PORTCULLIS_BENCH_METRICS=1 in the environment, `gateway` counts its metrics as `serve
 * --metrics-port 0` does (bench/metrics-cost.ts measures what that costs).
 *
 * Tokens are real, for every kind: one grant is written through the store, and the server's own
 * /token endpoint turns its refresh token into an ES256 access token for `<issuer>/mcp`. Every
 * kind reads the request body before it answers.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import express from 'express';
import { Hono, type MiddlewareHandler } from 'hono';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { type ServeStack, startServeStack } from '../../src/cli/serve-stack.js';
import { randomSecret } from '../../src/core/secrets.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import { createJwtVerifier } from '../../src/resource/jwt-verifier.js';
import { bearerAuth } from '../../src/resource/middleware/hono.js';
import { protectNodeHttpListener } from '../../src/resource/middleware/node-http.js';
import { parseScopePolicy } from '../../src/resource/scope-policy.js';
import { listen } from '../../src/server/http/listen.js';
import { silentLogger } from '../../src/server/logger.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { ANNOUNCEMENT_KEY, KINDS, type ServerKind } from './kinds.js';

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'list_notes', inputSchema: { type: 'object' } }] } });
const HEADERS = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(BODY)) };

function answer(res: ServerResponse): void {
  res.writeHead(200, HEADERS).end(BODY);
}

/**
 * What every node:http server here does for a request it lets through: read the body (an MCP
 * server needs the JSON-RPC message; it is discarded here), then answer BODY. The bare server and
 * the node:http guard run this same function, so they differ in the check alone.
 */
function answerOnceBodyRead(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => answer(res));
}

/** A node:http server answering BODY to every request once its body is read. */
async function listenBare(): Promise<{ url: string; close: () => Promise<void> }> {
  const http = createServer(answerOnceBodyRead);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeHttpServer(http) };
}

/**
 * The Hono app of `hono` (no check) and `guard-hono` (with `check` before it): it reads the body,
 * as `bare` does, in Hono's own way (@hono/node-server reads it straight from the socket), then
 * answers BODY.
 */
function honoApp(check: MiddlewareHandler | undefined): Hono {
  const app = new Hono();
  if (check !== undefined) app.use('/mcp', check);
  app.post('/mcp', async (c) => {
    await c.req.arrayBuffer();
    return new Response(BODY, { headers: HEADERS });
  });
  return app;
}

/** The authorization server (with the gateway when `upstream` is given) on a temporary SQLite file, and a real access token for `<issuer>/mcp`. */
async function startPortcullis(upstream: string | undefined): Promise<{ stack: ServeStack; store: Store; token: string; close: () => Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), 'portcullis-gateway-bench-'));
  const store = await openStore(`sqlite:${join(folder, 'bench.db')}`);
  const stack = await startServeStack({
    store,
    secrets: [randomSecret(32)],
    logger: silentLogger,
    port: 0,
    host: '127.0.0.1',
    settings: {},
    ...(upstream !== undefined ? { gateway: { upstream: `${upstream}/mcp` } } : {}),
    ...(process.env['PORTCULLIS_BENCH_METRICS'] === '1' ? { metrics: { port: 0 } } : {}),
    sweepIntervalMs: false,
  });
  const { config, paths } = stack.server;
  const now = Math.floor(Date.now() / 1000);
  const clientId = 'bench-client';
  await store.clients.create({
    clientId,
    secretHash: null,
    tokenEndpointAuthMethod: 'none',
    redirectUris: ['http://127.0.0.1/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    clientName: 'Benchmark',
    scope: null,
    metadata: {},
    source: 'static',
    createdAt: now,
  });
  const grantId = randomSecret(16);
  await store.grants.create({
    id: grantId,
    clientId,
    userId: 'bench-user',
    scope: ['mcp'],
    resource: config.resources[0]!.uri,
    createdAt: now,
    revokedAt: null,
    refreshGeneration: 0,
    refreshExpiresAt: now + 3600,
    lastUsedAt: now,
  });
  const refreshToken = stack.server.mintRefreshToken({ grantId, generation: 0 });
  const response = await fetch(`${stack.http.url}${paths.token}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  });
  const token = ((await response.json()) as { access_token: string }).access_token;
  return {
    stack,
    store,
    token,
    async close() {
      await stack.close();
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The gateway's verifier, as `serve` builds it: in-process JWKS, revocation asked on a cache miss. */
function gatewayVerifier(stack: ServeStack) {
  const { config, paths } = stack.server;
  return createJwtVerifier({
    issuer: config.issuer,
    audience: config.resources[0]!.uri,
    jwksUri: `${config.issuerUrl.origin}${paths.jwks}`,
    fetch: (input, init) => stack.server.app.fetch(new Request(input, init)) as Promise<Response>,
    isTokenLive: (identity) => stack.server.isAccessTokenLive(identity.tokenId),
  });
}

async function start(kind: ServerKind): Promise<{ url: string; token: string; close: () => Promise<void> }> {
  if (kind === 'bare' || kind === 'hono') {
    // Nothing checks it, but the token is a real one, so these servers parse the very requests the
    // guards do, and the process holds the same authorization server (heap, modules) as theirs.
    const portcullis = await startPortcullis(undefined);
    const server = kind === 'bare' ? await listenBare() : await listen(honoApp(undefined).fetch, { port: 0, host: '127.0.0.1' });
    return {
      url: `${server.url}/mcp`,
      token: portcullis.token,
      close: async () => {
        await server.close();
        await portcullis.close();
      },
    };
  }
  if (kind === 'gateway') {
    const upstream = await listenBare();
    const portcullis = await startPortcullis(upstream.url);
    return {
      url: portcullis.stack.gateway!.resource,
      token: portcullis.token,
      close: async () => {
        await portcullis.close();
        await upstream.close();
      },
    };
  }
  const portcullis = await startPortcullis(undefined);
  const resource = portcullis.stack.server.config.resources[0]!.uri;
  const scopePolicy = parseScopePolicy({ required: ['mcp'] });
  if (kind === 'guard-hono') {
    const app = honoApp(bearerAuth({ verifier: gatewayVerifier(portcullis.stack), resource, scopePolicy }));
    const http = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
    return {
      url: `${http.url}/mcp`,
      token: portcullis.token,
      close: async () => {
        await http.close();
        await portcullis.close();
      },
    };
  }
  if (kind === 'guard-node') {
    const http = createServer(protectNodeHttpListener({ verifier: gatewayVerifier(portcullis.stack), resource, scopePolicy }, answerOnceBodyRead));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/mcp`,
      token: portcullis.token,
      close: async () => {
        await closeHttpServer(http);
        await portcullis.close();
      },
    };
  }
  // sdk-express
  const { config } = portcullis.stack.server;
  const jwks = createLocalJWKSet(await portcullis.stack.server.signingKeys.jwks());
  const verifier = {
    async verifyAccessToken(token: string) {
      const { payload } = await jwtVerify(token, jwks, { issuer: config.issuer, audience: resource, typ: 'at+jwt', algorithms: ['ES256'] });
      return { token, clientId: String(payload['client_id']), scopes: String(payload['scope']).split(' '), expiresAt: payload.exp! };
    },
  };
  const app = express();
  app.post('/mcp', requireBearerAuth({ verifier, requiredScopes: ['mcp'] }), express.json(), (_req, res) => void res.set(HEADERS).send(BODY));
  const http = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => http.once('listening', () => resolve()));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token: portcullis.token,
    close: async () => {
      await closeHttpServer(http);
      await portcullis.close();
    },
  };
}

const { values } = parseArgs({ args: process.argv.slice(2), options: { kind: { type: 'string' } }, strict: true });
const kind = values.kind as ServerKind;
if (!KINDS.includes(kind)) throw new Error(`--kind must be one of ${KINDS.join(', ')}`);
const running = await start(kind);
process.stdout.write(`${JSON.stringify({ [ANNOUNCEMENT_KEY]: { url: running.url, token: running.token } })}\n`);
const shutdown = () => void running.close().finally(() => process.exit(0));
createInterface({ input: process.stdin }).on('close', shutdown);
process.once('SIGTERM', shutdown);
