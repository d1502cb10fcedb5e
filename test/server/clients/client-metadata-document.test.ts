import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import { createClientMetadataDocumentResolver } from '../../../src/server/clients/client-metadata-document.js';
import { document, type Handler, refusedFor, serveJson, useDocumentServer } from './client-metadata-document-fixture.js';

describe('createClientMetadataDocumentResolver options', () => {
  it('refuses limits that make no sense', () => {
    for (const options of [
      { timeoutMs: 0 },
      { maxBytes: -1 },
      { maxCacheEntries: 1.5 },
      { minCacheSeconds: 100, maxCacheSeconds: 10 },
      { timeoutMs: Number.NaN },
    ]) {
      assert.throws(() => createClientMetadataDocumentResolver(options), RangeError, JSON.stringify(options));
    }
  });
});

describe('resolving documents from a loopback server (dangerouslyAllowLoopback)', () => {
  const site = useDocumentServer();
  const { requests, resolver } = site;

  it('never puts the body or an address into the public error_description', async () => {
    const marker = 'MARKER-7f3a';
    const leaky: Handler[] = [
      (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(marker),
      (_req, res) => res.writeHead(500, { 'Content-Type': 'application/json' }).end(`{"error":"${marker}"}`),
      (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(`{${marker}`),
      serveJson((url) => document(url, { redirect_uris: [`javascript:${marker}`] })),
      serveJson(() => document(`https://${marker}.example/c`)),
    ];
    for (const serve of leaky) {
      site.handler = serve;
      await assert.rejects(resolver().resolve(`${site.base}/leak.json`), (error: unknown) => {
        assert.ok(error instanceof OAuthError);
        const { error_description: description } = error.toJSON();
        assert.ok(!description.includes(marker), description);
        assert.ok(!description.includes('127.0.0.1'), description);
        return true;
      });
    }
  });

  it('shares one fetch between concurrent resolves of one URL', async () => {
    site.handler = (req, res, url) => setTimeout(() => serveJson(() => document(url), { 'Cache-Control': 'no-store' })(req, res, url), 100);
    const docs = resolver();
    const clients = await Promise.all(Array.from({ length: 5 }, () => docs.resolve(`${site.base}/shared.json`)));
    assert.equal(requests.length, 1);
    for (const client of clients) assert.deepEqual(client, clients[0]);
  });

  it('shares a failure too, and retries on the next resolve', async () => {
    site.handler = (_req, res) => setTimeout(() => res.writeHead(500).end(), 50);
    const docs = resolver();
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => docs.resolve(`${site.base}/failing.json`)));
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.equal(requests.length, 1);
    await assert.rejects(docs.resolve(`${site.base}/failing.json`), refusedFor('status'));
    assert.equal(requests.length, 2);
  });

  it('does not let a slow client id hold up another', async () => {
    site.handler = (req, res, url) => {
      if (req.url !== '/slow.json') serveJson(() => document(url))(req, res, url);
    };
    const docs = resolver({ timeoutMs: 1500 });
    let slowSettled = false;
    const slow = docs.resolve(`${site.base}/slow.json`).finally(() => {
      slowSettled = true;
    });
    await docs.resolve(`${site.base}/fast.json`);
    assert.equal(slowSettled, false, 'the fast document did not wait for the slow one');
    await assert.rejects(slow, refusedFor('timeout'));
  });
});
