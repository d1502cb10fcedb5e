import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { Hono } from 'hono';
import { decodeJwt } from 'jose';
import { parseChallenge } from '../../../src/core/www-authenticate.js';
import { closeHttpServer } from '../../../src/http/close-server.js';
import { type BearerGuard, createBearerGuard } from '../../../src/resource/bearer-guard.js';
import { createJwtVerifier } from '../../../src/resource/jwt-verifier.js';
import { requireBearerToken } from '../../../src/resource/middleware/express.js';
import { type BearerAuthEnv, bearerAuth } from '../../../src/resource/middleware/hono.js';
import { createNodeHttpGuard, type GuardedIncomingMessage, protectNodeHttpListener } from '../../../src/resource/middleware/node-http.js';
import { parseScopePolicy } from '../../../src/resource/scope-policy.js';
import type { TokenVerifier } from '../../../src/resource/types.js';
import { listen } from '../../../src/server/http/listen.js';
import { RESOURCE_A, RESOURCE_B, startTokenIssuer, type TokenIssuer } from '../../support/access-tokens.js';

/**
 * The synchronous cache-hit path of every adapter (bearerAuth, requireBearerToken,
 * createNodeHttpGuard, protectNodeHttpListener), over real HTTP. Each adapter guards `/mcp`
 * (scope `read`) and `/admin` (scopes `read admin`) with one verifier, whose clock the test
 * moves. A token verified once is then served from the cache, and the refusals must not change:
 * an expired cached token, a token for another audience (never cached), a cached token without
 * the scope the call needs, a token in the query or malformed credentials next to a cached one.
 */

const LIST_TOOLS = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

interface Adapter {
  url: string;
  /** Requests the adapter let through on the fast path (the guard's checkCached gave a pass). */
  fastPasses: () => number;
  /** Whether the last request let through reached the handler before the adapter returned. */
  handlerRanInSameTick: () => boolean | undefined;
  close: () => Promise<void>;
}

/** A guard whose fast-path passes are counted. */
function countingGuard(verifier: TokenVerifier, required: string[], count: { passes: number }): BearerGuard {
  const guard = createBearerGuard({ verifier, resource: RESOURCE_A, scopePolicy: parseScopePolicy({ required }) });
  return {
    ...guard,
    checkCached(request) {
      const pass = guard.checkCached(request);
      if (pass !== undefined) count.passes++;
      return pass;
    },
  };
}

function answer(res: ServerResponse, subject: string | undefined): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ subject }));
}

async function listenNode(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer(listener);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => closeHttpServer(http),
  };
}

/** Calls `route(req, res)` and records whether the handler ran before it returned. */
function sameTickProbe(): { wrap: (run: () => void) => void; mark: () => void; result: () => boolean | undefined } {
  let returned = true;
  let ranInSameTick: boolean | undefined;
  return {
    wrap(run) {
      returned = false;
      run();
      returned = true;
    },
    mark: () => {
      ranInSameTick = !returned;
    },
    result: () => ranInSameTick,
  };
}

const ADAPTERS: Record<string, (verifier: TokenVerifier) => Promise<Adapter>> = {
  async protectNodeHttpListener(verifier) {
    const count = { passes: 0 };
    const probe = sameTickProbe();
    const handler = (req: GuardedIncomingMessage, res: ServerResponse) => {
      probe.mark();
      answer(res, req.auth?.extra?.['subject'] as string);
    };
    const mcp = protectNodeHttpListener(countingGuard(verifier, ['read'], count), handler);
    const admin = protectNodeHttpListener(countingGuard(verifier, ['read', 'admin'], count), handler);
    const server = await listenNode((req, res) => probe.wrap(() => (req.url!.startsWith('/admin') ? admin : mcp)(req, res)));
    return { url: server.url, fastPasses: () => count.passes, handlerRanInSameTick: probe.result, close: server.close };
  },
  async createNodeHttpGuard(verifier) {
    const count = { passes: 0 };
    const mcp = createNodeHttpGuard(countingGuard(verifier, ['read'], count));
    const admin = createNodeHttpGuard(countingGuard(verifier, ['read', 'admin'], count));
    const server = await listenNode((req, res) => {
      void (req.url!.startsWith('/admin') ? admin : mcp)(req, res).then((identity) => identity !== null && answer(res, identity.subject));
    });
    return { url: server.url, fastPasses: () => count.passes, handlerRanInSameTick: () => undefined, close: server.close };
  },
  async requireBearerToken(verifier) {
    const count = { passes: 0 };
    const probe = sameTickProbe();
    const app = express();
    app.use(express.json());
    const handler = (req: express.Request & GuardedIncomingMessage, res: express.Response) => {
      probe.mark();
      answer(res, req.auth?.extra?.['subject'] as string);
    };
    const guarded = (guard: BearerGuard) => {
      const middleware = requireBearerToken(guard);
      return (req: express.Request, res: express.Response, next: express.NextFunction) => probe.wrap(() => void middleware(req, res, next));
    };
    app.post('/mcp', guarded(countingGuard(verifier, ['read'], count)), handler);
    app.post('/admin', guarded(countingGuard(verifier, ['read', 'admin'], count)), handler);
    const server = await listenNode(app);
    return { url: server.url, fastPasses: () => count.passes, handlerRanInSameTick: probe.result, close: server.close };
  },
  async bearerAuth(verifier) {
    const count = { passes: 0 };
    const app = new Hono<BearerAuthEnv>();
    app.use('/mcp', bearerAuth(countingGuard(verifier, ['read'], count)));
    app.use('/admin', bearerAuth(countingGuard(verifier, ['read', 'admin'], count)));
    const handler = (c: { get: (key: 'authInfo') => { extra?: Record<string, unknown> }; json: (body: unknown) => Response }) =>
      c.json({ subject: c.get('authInfo').extra?.['subject'] });
    app.post('/mcp', handler);
    app.post('/admin', handler);
    const http = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
    return { url: http.url, fastPasses: () => count.passes, handlerRanInSameTick: () => undefined, close: () => http.close() };
  },
};

for (const [name, start] of Object.entries(ADAPTERS)) {
  describe(`cached-token fast path: ${name}`, () => {
    let issuer: TokenIssuer;
    let adapter: Adapter;
    let readToken: string;
    let clock = Date.now();
    const post = (path: string, token: string | undefined, authorization = `Bearer ${token}`) =>
      fetch(`${adapter.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token !== undefined ? { Authorization: authorization } : {}) },
        body: LIST_TOOLS,
      });
    async function assertRefused(response: Response, status: number, error: string): Promise<Record<string, string>> {
      assert.equal(response.status, status);
      const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
      assert.equal(challenge?.['error'], error);
      assert.equal(((await response.json()) as { error: string }).error, error);
      return challenge!;
    }

    before(async () => {
      issuer = await startTokenIssuer();
      readToken = await issuer.accessToken({ scope: 'read' });
      const verifier = createJwtVerifier({
        issuer: issuer.server.url,
        audience: RESOURCE_A,
        jwksUri: issuer.as.jwks_uri,
        cache: { maxSeconds: 3600 },
        now: () => clock,
      });
      adapter = await start(verifier);
      // The first request verifies the signature and fills the cache; the second is a cache hit.
      assert.equal((await post('/mcp', readToken)).status, 200);
      assert.equal(adapter.fastPasses(), 0);
    });
    after(async () => {
      await adapter.close();
      await issuer.close();
    });

    it('lets a cached token through without a promise of its own', async () => {
      const response = await post('/mcp', readToken);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { subject: string }).subject, decodeJwt(readToken).sub);
      assert.equal(adapter.fastPasses(), 1);
      assert.notEqual(adapter.handlerRanInSameTick(), false);
    });

    it('refuses a cached token that lacks a scope the call needs: 403 naming all of them', async () => {
      const challenge = await assertRefused(await post('/admin', readToken), 403, 'insufficient_scope');
      assert.equal(challenge['scope'], 'admin read');
    });

    it('refuses a token in the query string, even with a cached token in the header', async () => {
      const response = await fetch(`${adapter.url}/mcp?access_token=${readToken}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${readToken}`, 'Content-Type': 'application/json' },
        body: LIST_TOOLS,
      });
      await assertRefused(response, 400, 'invalid_request');
    });

    it('refuses malformed credentials around a cached token', async () => {
      for (const authorization of [`Bearer ${readToken} extra`, `Bearer ${readToken}, Bearer ${readToken}`, `Bearer ${readToken}.`]) {
        await assertRefused(await post('/mcp', readToken, authorization), 401, 'invalid_token');
      }
    });

    it('refuses a token for another audience every time: it is never cached', async () => {
      const tokenForB = await issuer.accessToken({ resource: RESOURCE_B });
      const passes = adapter.fastPasses();
      for (let i = 0; i < 2; i++) await assertRefused(await post('/mcp', tokenForB), 401, 'invalid_token');
      assert.equal(adapter.fastPasses(), passes);
    });

    it('refuses a cached token once it expired (past the clock skew)', async () => {
      const exp = decodeJwt(readToken).exp!;
      clock = (exp + 29) * 1000; // within the 30 s skew: still good, from the cache
      const passes = adapter.fastPasses();
      assert.equal((await post('/mcp', readToken)).status, 200);
      assert.equal(adapter.fastPasses(), passes + 1);
      clock = (exp + 31) * 1000;
      await assertRefused(await post('/mcp', readToken), 401, 'invalid_token');
      assert.equal(adapter.fastPasses(), passes + 1);
      clock = Date.now();
    });
  });
}
