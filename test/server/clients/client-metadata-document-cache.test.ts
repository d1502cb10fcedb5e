import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { ClientMetadataDocumentOptions } from '../../../src/server/clients/client-metadata-document.js';
import { cacheLifetimeSeconds, createClientMetadataDocumentCache } from '../../../src/server/clients/client-metadata-document-cache.js';
import { clientRecord } from '../../support/store-records.js';
import { document, refusedFor, serveJson, useDocumentServer } from './client-metadata-document-fixture.js';

describe('caching documents fetched from a loopback server', () => {
  const site = useDocumentServer();
  const { requests, resolver } = site;

  describe('caching (draft §5.2, RFC 9111)', () => {
    let clock: number;
    const at = (ms: number) => {
      clock = ms;
    };
    beforeEach(() => {
      clock = Math.floor(Date.now() / 1000) * 1000;
    });
    const cachingResolver = (options: ClientMetadataDocumentOptions = {}) => resolver({ now: () => clock, ...options });

    it('serves from the cache while max-age holds and refetches after it', async () => {
      const start = clock;
      site.handler = serveJson((url) => document(url), { 'Cache-Control': 'public, max-age=120' });
      const docs = cachingResolver();
      await docs.resolve(`${site.base}/cached.json`);
      at(start + 119_000);
      await docs.resolve(`${site.base}/cached.json`);
      assert.equal(requests.length, 1, 'served from cache while max-age holds');
      at(start + 121_000);
      await docs.resolve(`${site.base}/cached.json`);
      assert.equal(requests.length, 2, 'refetched after expiry');
    });

    it('subtracts Age from max-age', async () => {
      const start = clock;
      site.handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600', Age: '500' });
      const docs = cachingResolver();
      await docs.resolve(`${site.base}/aged.json`);
      at(start + 99_000);
      await docs.resolve(`${site.base}/aged.json`);
      assert.equal(requests.length, 1);
      at(start + 101_000);
      await docs.resolve(`${site.base}/aged.json`);
      assert.equal(requests.length, 2);
    });

    it('refetches every time under no-store, and under no-cache', async () => {
      for (const directive of ['no-store', 'no-cache', 'max-age=600, no-store']) {
        requests.length = 0;
        site.handler = serveJson((url) => document(url), { 'Cache-Control': directive });
        const docs = cachingResolver();
        for (let i = 0; i < 3; i++) await docs.resolve(`${site.base}/uncached.json`);
        assert.equal(requests.length, 3, directive);
      }
    });

    it('honors Expires when there is no max-age', async () => {
      const start = clock;
      site.handler = serveJson((url) => document(url), { Expires: new Date(start + 600_000).toUTCString() });
      const docs = cachingResolver();
      await docs.resolve(`${site.base}/expires.json`);
      at(start + 590_000);
      await docs.resolve(`${site.base}/expires.json`);
      assert.equal(requests.length, 1);
      at(start + 610_000);
      await docs.resolve(`${site.base}/expires.json`);
      assert.equal(requests.length, 2);
    });

    it('clamps the lifetime to [minCacheSeconds, maxCacheSeconds]', async () => {
      const start = clock;
      site.handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=1' });
      const short = cachingResolver({ minCacheSeconds: 60 });
      await short.resolve(`${site.base}/short.json`);
      at(start + 59_000);
      await short.resolve(`${site.base}/short.json`);
      assert.equal(requests.length, 1, 'a 1 s max-age is raised to the minimum');
      at(start + 61_000);
      await short.resolve(`${site.base}/short.json`);
      assert.equal(requests.length, 2);

      at(start);
      requests.length = 0;
      site.handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=999999999' });
      const long = cachingResolver({ maxCacheSeconds: 86_400 });
      await long.resolve(`${site.base}/long.json`);
      at(start + 86_399_000);
      await long.resolve(`${site.base}/long.json`);
      assert.equal(requests.length, 1);
      at(start + 86_401_000);
      await long.resolve(`${site.base}/long.json`);
      assert.equal(requests.length, 2, 'a huge max-age is cut to the maximum');
    });

    it('uses defaultCacheSeconds when the response has no cache headers', async () => {
      const start = clock;
      site.handler = serveJson((url) => document(url));
      const docs = cachingResolver({ defaultCacheSeconds: 300 });
      await docs.resolve(`${site.base}/default.json`);
      at(start + 299_000);
      await docs.resolve(`${site.base}/default.json`);
      assert.equal(requests.length, 1);
      at(start + 301_000);
      await docs.resolve(`${site.base}/default.json`);
      assert.equal(requests.length, 2);
    });

    it('does not cache a failure', async () => {
      let calls = 0;
      site.handler = (req, res, url) =>
        calls++ === 0 ? res.writeHead(503).end() : serveJson(() => document(url), { 'Cache-Control': 'max-age=600' })(req, res, url);
      const docs = cachingResolver();
      await assert.rejects(docs.resolve(`${site.base}/flaky.json`), refusedFor('status'));
      await docs.resolve(`${site.base}/flaky.json`);
      assert.equal(requests.length, 2);
    });

    it('does not cache an invalid document', async () => {
      site.handler = serveJson(() => document('https://other.example/c'), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver();
      await assert.rejects(docs.resolve(`${site.base}/invalid.json`), refusedFor('document'));
      await assert.rejects(docs.resolve(`${site.base}/invalid.json`), refusedFor('document'));
      assert.equal(requests.length, 2);
    });

    it('keeps at most maxCacheEntries documents, evicting the oldest', async () => {
      site.handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver({ maxCacheEntries: 2 });
      for (const name of ['a', 'b', 'c']) await docs.resolve(`${site.base}/${name}.json`);
      await docs.resolve(`${site.base}/c.json`);
      await docs.resolve(`${site.base}/b.json`);
      assert.equal(requests.length, 3, 'b and c are still cached');
      await docs.resolve(`${site.base}/a.json`);
      assert.equal(requests.length, 4, 'a was evicted');
    });

    it('caches nothing when maxCacheEntries is 0', async () => {
      site.handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver({ maxCacheEntries: 0 });
      await docs.resolve(`${site.base}/nocache.json`);
      await docs.resolve(`${site.base}/nocache.json`);
      assert.equal(requests.length, 2);
    });

    it('hands out copies: a caller changing its record does not change the cache', async () => {
      site.handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver();
      const first = await docs.resolve(`${site.base}/copy.json`);
      first.redirectUris.push('https://evil.example/cb');
      const second = await docs.resolve(`${site.base}/copy.json`);
      assert.deepEqual(second.redirectUris, ['http://127.0.0.1:3000/callback']);
      assert.equal(requests.length, 1);
    });
  });
});

describe('cache lifetime of a document (RFC 9111 §4.2.1, draft §5.2)', () => {
  const bounds = { minCacheSeconds: 60, maxCacheSeconds: 86_400, defaultCacheSeconds: 300 };
  const now = Date.parse('2026-01-01T00:00:00Z');
  const lifetime = (headers: Record<string, string>) => cacheLifetimeSeconds((name) => headers[name], now, bounds);

  it('reads max-age, then Expires against Date, minus Age; else the default', () => {
    assert.equal(lifetime({ 'cache-control': 'public, max-age=600' }), 600);
    assert.equal(lifetime({ 'cache-control': 'max-age="600"', age: '100' }), 500);
    assert.equal(lifetime({ expires: 'Thu, 01 Jan 2026 01:00:00 GMT', date: 'Thu, 01 Jan 2026 00:30:00 GMT' }), 1800);
    assert.equal(lifetime({ expires: 'Thu, 01 Jan 2026 01:00:00 GMT' }), 3600);
    assert.equal(lifetime({}), 300);
  });

  it('never caches under no-store or no-cache', () => {
    assert.equal(lifetime({ 'cache-control': 'no-store' }), null);
    assert.equal(lifetime({ 'cache-control': 'max-age=600, No-Cache' }), null);
  });

  it('clamps to the bounds; an invalid Expires is in the past', () => {
    assert.equal(lifetime({ 'cache-control': 'max-age=1' }), 60);
    assert.equal(lifetime({ 'cache-control': 'max-age=999999999' }), 86_400);
    assert.equal(lifetime({ expires: 'not a date' }), 60);
    assert.equal(lifetime({ 'cache-control': 'max-age=soon' }), 60);
  });
});

describe('the document cache', () => {
  it('keeps a client until its lifetime ends, and evicts the oldest when full', () => {
    let clock = 0;
    const cache = createClientMetadataDocumentCache(2, () => clock);
    const [a, b, c] = [clientRecord(), clientRecord(), clientRecord()];
    cache.remember('a', a, 10);
    assert.equal(cache.get('a'), a);
    clock = 10_000;
    assert.equal(cache.get('a'), undefined, 'expired');
    cache.remember('a', a, 60);
    cache.remember('b', b, 60);
    cache.remember('c', c, 60);
    assert.equal(cache.get('a'), undefined, 'evicted');
    assert.equal(cache.get('c'), c);
    cache.remember('c', c, null);
    assert.equal(cache.get('c'), undefined, 'null forgets');
  });
});
