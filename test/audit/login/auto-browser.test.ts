/**
 * The built-in browser on an error page: `complete` (the logged-in checks' authorizations) throws
 * it as inconclusive, as it always did; `carryOn` (an authorization probe carried through the
 * login) returns it, after the login, to be read as a refusal. Real HTTP on loopback, through the
 * guarded fetch.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGuardedFetch, type GuardedFetch } from '../../../src/audit/guarded-fetch.js';
import { createAutoBrowser } from '../../../src/audit/login/auto-browser.js';
import { InconclusiveError } from '../../../src/audit/verdict.js';
import { closeHttpServer } from '../../../src/http/close-server.js';

const LOGIN_PAGE = `<!doctype html><form method="post" action="/login">
<input name="username"><input type="password" name="password"><button type="submit">Sign in</button></form>`;

describe('the built-in browser on an error page after the login', () => {
  const server = createServer((request, response) => {
    const page = request.method === 'GET' && request.url?.startsWith('/authorize') === true;
    response.writeHead(page ? 200 : request.method === 'POST' && request.url === '/login' ? 400 : 404, { 'content-type': 'text/html' });
    response.end(page ? LOGIN_PAGE : '<!doctype html><p>invalid_request</p>');
  });
  let origin = '';
  let fetch: GuardedFetch;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const guarded = createGuardedFetch({ targetKind: 'loopback', allowPrivate: false, timeoutMs: 5_000, maxBytes: 100_000, budget: 20, paceMs: 0 });
    fetch = (url, request = {}) => guarded(url, request, () => {});
  });
  after(() => closeHttpServer(server));

  const browser = () => createAutoBrowser({ fetch: (url, request) => fetch(url, request), username: 'alice', password: 'any password' });
  const start = () => new URL(`${origin}/authorize?client_id=c`);

  it('complete() still throws it as inconclusive, naming the request and the status', async () => {
    await assert.rejects(
      browser().complete(start(), 'http://127.0.0.1:1/cb'),
      (error: unknown) => error instanceof InconclusiveError && /did not complete: POST http:\/\/127\.0\.0\.1:\d+\/login answered 400$/.test(error.message),
    );
  });

  it('carryOn() returns it: the status, the request that got it, every hop before', async () => {
    const stop = await browser().carryOn(start(), { endsAt: () => false });
    assert.equal(stop.kind, 'error-page');
    assert.ok(stop.kind === 'error-page');
    assert.equal(stop.status, 400);
    assert.equal(stop.method, 'POST');
    assert.equal(stop.url.pathname, '/login');
    assert.deepEqual(
      stop.hops.map((hop) => `${hop.method} ${new URL(hop.url).pathname} ${hop.status}`),
      ['GET /authorize 200', 'POST /login 400'],
    );
  });
});
