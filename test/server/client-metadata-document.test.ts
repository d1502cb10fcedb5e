import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { OAuthError } from '../../src/core/errors.js';
import { createClientMetadataDocumentResolver, isClientMetadataDocumentUrl } from '../../src/server/client-metadata-document.js';
import { isPrivateAddress } from '../../src/server/private-address.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: string) => void;

/** A real loopback HTTP server whose answer each test sets. */
describe('Client ID Metadata Documents', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const requests: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      handler(req, res, `${base}${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  beforeEach(() => {
    requests.length = 0;
  });

  const document = (clientId: string, extra: Record<string, unknown> = {}) => ({
    client_id: clientId,
    client_name: 'Doc Client',
    redirect_uris: ['http://127.0.0.1:3000/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    ...extra,
  });
  const serveJson = (body: (url: string) => unknown, headers: Record<string, string> = {}): Handler => (_req, res, url) => {
    res.writeHead(200, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body(url)));
  };
  const refusedAs = (pattern?: RegExp) => (error: unknown) => error instanceof OAuthError && error.code === 'invalid_client' && (!pattern || pattern.test(error.description));
  const loopbackResolver = (extra: Parameters<typeof createClientMetadataDocumentResolver>[0] = {}) =>
    createClientMetadataDocumentResolver({ dangerouslyAllowLoopback: true, ...extra });

  it('accepts a valid document and returns a public client', async () => {
    handler = serveJson((url) => document(url));
    const client = await loopbackResolver().resolve(`${base}/client.json`);
    assert.equal(client.clientId, `${base}/client.json`);
    assert.equal(client.tokenEndpointAuthMethod, 'none');
    assert.equal(client.clientName, 'Doc Client');
    assert.deepEqual(client.grantTypes, ['authorization_code', 'refresh_token']);
  });

  const refusals: [string, Handler, RegExp?][] = [
    ['a document naming another client_id', serveJson(() => document('https://evil.example/client.json')), /another client_id/],
    ['a document without redirect_uris', serveJson((url) => ({ client_id: url }))],
    ['a javascript: redirect URI', serveJson((url) => document(url, { redirect_uris: ['javascript:alert(1)'] })), /redirect URI/],
    ['a document holding a client secret', serveJson((url) => document(url, { client_secret: 's3cret' })), /secret/],
    ['a confidential auth method', serveJson((url) => document(url, { token_endpoint_auth_method: 'client_secret_basic' }))],
    ['a non-JSON content type', (_q, res, url) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(JSON.stringify(document(url))), /not JSON/],
    ['invalid JSON', (_q, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{not json'), /not valid JSON/],
    ['a 404', (_q, res) => res.writeHead(404).end(), /could not be fetched/],
  ];
  for (const [name, serve, pattern] of refusals) {
    it(`refuses ${name}`, async () => {
      handler = serve;
      await assert.rejects(loopbackResolver().resolve(`${base}/client.json`), refusedAs(pattern));
    });
  }

  it('refuses a redirect and never requests its target', async () => {
    handler = (req, res) => {
      if (req.url === '/client.json') res.writeHead(302, { Location: `${base}/elsewhere.json` }).end();
      else serveJson((url) => document(url))(req, res, `${base}${req.url}`);
    };
    await assert.rejects(loopbackResolver().resolve(`${base}/client.json`), refusedAs());
    assert.deepEqual(requests, ['/client.json']);
  });

  it('refuses a body larger than the limit without reading all of it', async () => {
    handler = (_req, res, url) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify(document(url, { client_name: 'x'.repeat(200) })).slice(0, -1));
      const filler = `,"pad":"${'y'.repeat(64 * 1024)}"`;
      res.end(`${filler}}`);
    };
    await assert.rejects(loopbackResolver({ maxBytes: 1024 }).resolve(`${base}/client.json`), refusedAs(/too large/));
  });

  it('gives up on a slow server', async () => {
    handler = () => {
      /* never answers */
    };
    const started = Date.now();
    await assert.rejects(loopbackResolver({ timeoutMs: 200 }).resolve(`${base}/slow.json`), refusedAs(/too long/));
    assert.ok(Date.now() - started < 2000);
  });

  it('caches by max-age, refetches after expiry, and never caches no-store', async () => {
    let clock = 1_000_000;
    handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=120' });
    const resolver = loopbackResolver({ now: () => clock });
    await resolver.resolve(`${base}/cached.json`);
    await resolver.resolve(`${base}/cached.json`);
    assert.equal(requests.length, 1, 'served from cache while max-age holds');
    clock += 121_000;
    await resolver.resolve(`${base}/cached.json`);
    assert.equal(requests.length, 2, 'refetched after expiry');

    handler = serveJson((url) => document(url), { 'Cache-Control': 'no-store' });
    await resolver.resolve(`${base}/nostore.json`);
    await resolver.resolve(`${base}/nostore.json`);
    assert.equal(requests.length, 4);
  });

  it('shares one fetch between concurrent resolves of one URL', async () => {
    handler = (req, res, url) => setTimeout(() => serveJson(() => document(url), { 'Cache-Control': 'no-store' })(req, res, url), 100);
    const resolver = loopbackResolver();
    await Promise.all(Array.from({ length: 5 }, () => resolver.resolve(`${base}/shared.json`)));
    assert.equal(requests.length, 1);
  });

  describe('without the dangerous loopback switch', () => {
    const resolver = createClientMetadataDocumentResolver({
      timeoutMs: 500,
      lookup: (hostname, _options, callback) => {
        if (hostname === 'internal.example') callback(null, [{ address: '10.1.2.3', family: 4 }]);
        else if (hostname === 'rebind.example') callback(null, [{ address: '93.184.215.14', family: 4 }, { address: '127.0.0.1', family: 4 }]);
        else callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
      },
    });
    for (const url of [
      'http://127.0.0.1/client.json',
      'https://127.0.0.1/client.json',
      'https://10.0.0.1/x',
      'https://[::1]/x',
      'https://169.254.169.254/latest',
      'https://[::ffff:127.0.0.1]/x',
      'https://[fd00::1]/x',
      'https://100.64.0.1/x',
      'https://internal.example/client.json',
      'https://rebind.example/client.json',
    ]) {
      it(`refuses ${url} before connecting`, async () => {
        await assert.rejects(resolver.resolve(url), refusedAs());
      });
    }
    it('refuses a name that does not resolve', async () => {
      await assert.rejects(resolver.resolve('https://nowhere.example/client.json'), refusedAs(/resolved/));
    });
  });

  it('recognises metadata document URLs (draft §3)', () => {
    assert.equal(isClientMetadataDocumentUrl('https://app.example/client.json'), true);
    for (const bad of ['https://app.example/', 'https://app.example', 'http://app.example/c', 'https://u:p@app.example/c', 'https://app.example/c#f', 'https://app.example/a/../c', 'https://app.example/./c', 'not a url', 'pc_abc']) {
      assert.equal(isClientMetadataDocumentUrl(bad), false, bad);
    }
  });

  it('classifies private and public addresses', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd12::1', '::ffff:7f00:1', '::ffff:10.0.0.1', '224.0.0.1', 'not-an-ip']) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1111']) assert.equal(isPrivateAddress(address), false, address);
  });
});
