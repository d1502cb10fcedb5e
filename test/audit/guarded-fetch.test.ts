import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Exchange } from '../../src/audit/exchange.js';
import { BudgetExhaustedError, createGuardedFetch, type GuardedFetchOptions, mayConnect, RefusedUrlError } from '../../src/audit/guarded-fetch.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import type { AddressLookup } from '../../src/http/pinned-request.js';

/** A fake DNS: names to addresses, as a hostile server's names would resolve. */
function lookupTable(table: Record<string, string>): AddressLookup {
  return (hostname, _options, callback) => {
    const address = table[hostname];
    if (address === undefined) callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
    else callback(null, [{ address, family: address.includes(':') ? 6 : 4 } satisfies LookupAddress]);
  };
}

describe('the guarded fetch (the auditor is a client hostile servers point at internal addresses)', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  before(async () => {
    server = createServer((request, response) => {
      seen.push(`${request.headers.host} ${request.url}`);
      if (request.url === '/redirect') return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (request.url === '/big') return void response.end('x'.repeat(10_000));
      if (request.url === '/slow') return void setTimeout(() => response.end('late'), 2000);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => closeHttpServer(server));

  const options = (overrides: Partial<GuardedFetchOptions> = {}): GuardedFetchOptions => ({
    targetKind: 'loopback',
    allowPrivate: false,
    timeoutMs: 1000,
    maxBytes: 1024,
    budget: 100,
    paceMs: 0,
    lookup: lookupTable({ 'target.test': '127.0.0.1', 'internal.test': '10.1.2.3', 'metadata.test': '169.254.169.254', 'public.test': '93.184.216.34' }),
    ...overrides,
  });
  const exchanges: Exchange[] = [];
  const record = (exchange: Exchange) => exchanges.push(exchange);

  it('decides by the kind of address: link-local never, loopback only for a loopback target, private only for a private one', () => {
    assert.equal(mayConnect('link-local', 'loopback', true), false);
    assert.equal(mayConnect('loopback', 'loopback', false), true);
    assert.equal(mayConnect('loopback', 'public', false), false);
    assert.equal(mayConnect('loopback', 'public', true), true);
    assert.equal(mayConnect('private', 'loopback', false), false);
    assert.equal(mayConnect('private', 'private', false), true);
    assert.equal(mayConnect('special', 'public', false), false);
    assert.equal(mayConnect('public', 'loopback', false), true);
  });

  it('fetches the loopback target, by name too, and connects to the address it checked', async () => {
    const fetch = createGuardedFetch(options());
    const response = await fetch(`http://target.test:${port}/hello`, {}, record);
    assert.equal(response.status, 200);
    assert.equal(response.text, 'ok');
    assert.ok(seen.includes(`target.test:${port} /hello`), 'the Host header names the URL, the connection went to the checked address');
  });

  it('refuses names and IP literals that resolve to link-local, private or, for a public target, loopback addresses, and records why', async () => {
    const fetch = createGuardedFetch(options());
    for (const url of [
      `http://metadata.test:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      `http://internal.test:${port}/`,
    ]) {
      await assert.rejects(fetch(url, {}, record), RefusedUrlError, url);
    }
    await assert.rejects(createGuardedFetch(options({ targetKind: 'public' }))(`http://127.0.0.1:${port}/`, {}, record), RefusedUrlError);
    await assert.rejects(
      createGuardedFetch(options({ allowPrivate: true }))('http://169.254.169.254/', {}, record),
      RefusedUrlError,
      'never, even with --allow-private',
    );
    assert.match(exchanges.at(-1)?.error ?? '', /link-local/);
  });

  it('never fetches another scheme', async () => {
    const fetch = createGuardedFetch(options());
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/plain,x', 'not a url'])
      await assert.rejects(fetch(url, {}, record), RefusedUrlError, url);
  });

  it('does not follow redirects: a redirect to a metadata address is an answer to look at', async () => {
    const response = await createGuardedFetch(options())(`http://127.0.0.1:${port}/redirect`, {}, record);
    assert.equal(response.status, 302);
    assert.equal(response.location()?.hostname, '169.254.169.254');
    assert.ok(!seen.some((line) => line.includes('meta-data')));
  });

  it('reads at most maxBytes, gives up after the timeout, and stops at the request budget', async () => {
    const fetch = createGuardedFetch(options({ budget: 3, timeoutMs: 300 }));
    const big = await fetch(`http://127.0.0.1:${port}/big`, {}, record);
    assert.equal(big.truncated, true);
    assert.equal(big.text.length, 1024);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/slow`, {}, record), /no answer within 300 ms/);
    await fetch(`http://127.0.0.1:${port}/`, {}, record);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`, {}, record), BudgetExhaustedError);
    assert.equal(fetch.used(), 3);
  });
});
