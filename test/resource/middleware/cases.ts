/**
 * The refusals every middleware adapter (Express, Hono, node:http) must answer alike, as one
 * table: the request, and the status, `error`, challenge scope and headers expected. Each adapter's
 * suite runs it against its own server with `itRefusesLikeEveryAdapter`; what only one adapter
 * does (how it hands on the identity and the body, its body limit, metadata, preflights) stays in
 * that adapter's suite. Below it, the cached-token fast path every adapter must keep as strict as
 * the full check, run per adapter with `describeCachedTokenFastPath`.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { parseChallenge } from '../../../src/core/www-authenticate.js';
import { closeHttpServer } from '../../../src/http/close-server.js';
import { type BearerGuard, createBearerGuard } from '../../../src/resource/bearer-guard.js';
import { createJwtVerifier } from '../../../src/resource/jwt-verifier.js';
import { parseScopePolicy } from '../../../src/resource/scope-policy.js';
import type { TokenVerifier } from '../../../src/resource/types.js';
import { RESOURCE_A, RESOURCE_B, startTokenIssuer, type TokenIssuer } from '../../support/access-tokens.js';
import { DELETE_NOTE_CALL, mcpPost } from '../../support/whoami-mcp-server.js';

/** A guarded MCP endpoint (scope `read`, and `write` for the `delete_note` tool) and tokens for it. */
export interface GuardedEndpoint {
  url: string;
  /** Scope `read`. */
  readToken: string;
  /** Scopes `read write`. */
  writeToken: string;
}

export interface RefusalCase {
  /** What the request does wrong, and the answer. */
  name: string;
  send(endpoint: GuardedEndpoint): Promise<Response>;
  status: number;
  /** The `WWW-Authenticate` challenge: its `error` (undefined: a bare challenge) and `scope`. */
  challenge?: { error: string | undefined; scope?: string };
  /** The `error` of the JSON body. */
  bodyError?: string;
  headers?: Record<string, string>;
}

/** The table. @see RFC 6750 §3 and §3.1; MCP Authorization (2026-07-28), "Access Token Usage" and "Scope Challenge Handling" */
export const REFUSAL_CASES: readonly RefusalCase[] = [
  {
    name: 'answers 401 without a token, with a bare challenge it lets the browser read',
    send: ({ url }) => mcpPost(url, DELETE_NOTE_CALL),
    status: 401,
    challenge: { error: undefined },
    headers: { 'cache-control': 'no-store', 'access-control-allow-origin': '*', 'access-control-expose-headers': 'WWW-Authenticate' },
  },
  {
    name: 'answers 403 with the step-up challenge, naming every scope, for a tool that needs more',
    send: ({ url, readToken }) => mcpPost(url, DELETE_NOTE_CALL, { Authorization: `Bearer ${readToken}` }),
    status: 403,
    challenge: { error: 'insufficient_scope', scope: 'read write' },
  },
  {
    name: 'answers 403 with every scope needed, whatever the Content-Type says',
    send: ({ url, readToken }) =>
      fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${readToken}`, 'Content-Type': 'text/plain', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify(DELETE_NOTE_CALL),
      }),
    status: 403,
    challenge: { error: 'insufficient_scope', scope: 'read write' },
  },
  {
    name: 'refuses a token in the query',
    send: ({ url, writeToken }) => mcpPost(`${url}?access_token=${writeToken}`, DELETE_NOTE_CALL, { Authorization: `Bearer ${writeToken}` }),
    status: 400,
    bodyError: 'invalid_request',
  },
  {
    name: 'refuses a form body carrying the token',
    send: ({ url, writeToken }) =>
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: writeToken }).toString(),
      }),
    status: 400,
    bodyError: 'invalid_request',
  },
  {
    name: 'answers 401 invalid_token to a token that does not verify',
    send: ({ url, readToken }) => mcpPost(url, DELETE_NOTE_CALL, { Authorization: `Bearer ${readToken}x` }),
    status: 401,
    challenge: { error: 'invalid_token' },
  },
];

/** One test per case of the table, in the current describe, against `endpoint()` (read when the test runs). */
export function itRefusesLikeEveryAdapter(endpoint: () => GuardedEndpoint): void {
  for (const refusal of REFUSAL_CASES) {
    it(refusal.name, async () => {
      const response = await refusal.send(endpoint());
      assert.equal(response.status, refusal.status);
      if (refusal.challenge !== undefined) {
        const challenge = parseChallenge(response.headers.get('www-authenticate')!);
        assert.equal(challenge?.['error'], refusal.challenge.error);
        if (refusal.challenge.scope !== undefined) assert.equal(challenge?.['scope'], refusal.challenge.scope);
      }
      if (refusal.bodyError !== undefined) assert.equal(((await response.json()) as { error: string }).error, refusal.bodyError);
      for (const [name, value] of Object.entries(refusal.headers ?? {})) assert.equal(response.headers.get(name), value, name);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The cached-token fast path: the synchronous cache-hit path of every adapter (bearerAuth,
// requireBearerToken, createNodeHttpGuard, protectNodeHttpListener), over real HTTP. Each adapter
// guards `/mcp` (scope `read`) and `/admin` (scopes `read admin`) with one verifier, whose clock
// the test moves. A token verified once is then served from the cache, and the refusals must not
// change: an expired cached token, a token for another audience (never cached), a cached token
// without the scope the call needs, a token in the query or malformed credentials next to a
// cached one. Each adapter's suite runs it with `describeCachedTokenFastPath`.

const LIST_TOOLS = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

export interface FastPathAdapter {
  url: string;
  /** Requests the adapter let through on the fast path (the guard's checkCached gave a pass). */
  fastPasses: () => number;
  /** Whether the last request let through reached the handler before the adapter returned. */
  handlerRanInSameTick: () => boolean | undefined;
  close: () => Promise<void>;
}

/** A guard whose fast-path passes are counted. */
export function countingGuard(verifier: TokenVerifier, required: string[], count: { passes: number }): BearerGuard {
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

/** The handler behind each adapter: 200 with the subject it was handed. */
export function answerWithSubject(res: ServerResponse, subject: string | undefined): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ subject }));
}

/** A `node:http` server on a free loopback port. */
export async function listenNode(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer(listener);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => closeHttpServer(http),
  };
}

/** Calls `route(req, res)` and records whether the handler ran before it returned. */
export function sameTickProbe(): { wrap: (run: () => void) => void; mark: () => void; result: () => boolean | undefined } {
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

/**
 * The fast-path suite for one adapter, as a describe of its own: `start` puts the adapter in
 * front of `/mcp` (scope `read`) and `/admin` (scopes `read admin`) with the given verifier.
 */
export function describeCachedTokenFastPath(name: string, start: (verifier: TokenVerifier) => Promise<FastPathAdapter>): void {
  describe(`cached-token fast path: ${name}`, () => {
    let issuer: TokenIssuer;
    let adapter: FastPathAdapter;
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
