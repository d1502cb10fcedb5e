import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import {
  type AddressLookup,
  type ClientMetadataDocumentOptions,
  createClientMetadataDocumentResolver,
  isClientMetadataDocumentUrl,
} from '../../../src/server/clients/client-metadata-document.js';

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02; MCP Authorization
 * 2026-07-28). Happy paths fetch from a real loopback server under the dangerous loopback switch;
 * the SSRF tests run without it, with socket connections trapped so nothing is ever sent anywhere.
 */

type Handler = (req: IncomingMessage, res: ServerResponse, url: string) => void;

/** Refused as `invalid_client`, for the reason the private detail names (never the public text). */
function refusedFor(reason: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${String(error)}`);
    assert.equal(error.code, 'invalid_client');
    assert.equal(error.status, 401);
    assert.ok(error.detail?.startsWith(`${reason}:`), `expected reason ${reason}, got detail ${error.detail}`);
    return true;
  };
}

const document = (clientId: string, extra: Record<string, unknown> = {}) => ({
  client_id: clientId,
  client_name: 'Doc Client',
  redirect_uris: ['http://127.0.0.1:3000/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...extra,
});

const serveJson = (body: (url: string) => unknown, headers: Record<string, string> = {}): Handler => (_req, res, url) => {
  res.writeHead(200, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body(url)));
};

describe('isClientMetadataDocumentUrl (draft §3)', () => {
  it('accepts https URLs with a path, a port or a query', () => {
    for (const url of ['https://app.example/client.json', 'https://app.example:8443/oauth/client', 'https://app.example/c?v=2', 'https://[2606:4700::1]/c']) {
      assert.equal(isClientMetadataDocumentUrl(url), true, url);
    }
  });

  it('refuses everything else', () => {
    for (const url of [
      'https://app.example/',
      'https://app.example',
      'https://app.example?x=1',
      'http://app.example/client.json',
      'https://user:pass@app.example/c',
      'https://user@app.example/c',
      'https://app.example/c#frag',
      'https://app.example/c#',
      'https://app.example/a/../c',
      'https://app.example/./c',
      'https://app.example/a/%2e%2e/c',
      'https://app.example/a/%2E/c',
      'https://app.example/a/..',
      'https://app.example\\..\\c',
      'https://app.example/a b',
      'https://app.example/%zz',
      'https:///c',
      'ftp://app.example/c',
      'javascript:alert(1)//x',
      'not a url',
      'pc_abc123',
      `https://app.example/${'a'.repeat(2000)}`,
    ]) {
      assert.equal(isClientMetadataDocumentUrl(url), false, url);
    }
  });

  it('with the dangerous switch, also accepts http on loopback hosts only', () => {
    for (const url of ['http://127.0.0.1:8080/c.json', 'http://localhost/c.json', 'http://[::1]:9/c']) {
      assert.equal(isClientMetadataDocumentUrl(url, true), true, url);
      assert.equal(isClientMetadataDocumentUrl(url), false, url);
    }
    assert.equal(isClientMetadataDocumentUrl('http://app.example/c.json', true), false);
    assert.equal(isClientMetadataDocumentUrl('http://10.0.0.1/c.json', true), false);
  });
});

describe('createClientMetadataDocumentResolver options', () => {
  it('refuses limits that make no sense', () => {
    for (const options of [{ timeoutMs: 0 }, { maxBytes: -1 }, { maxCacheEntries: 1.5 }, { minCacheSeconds: 100, maxCacheSeconds: 10 }, { timeoutMs: Number.NaN }]) {
      assert.throws(() => createClientMetadataDocumentResolver(options), RangeError, JSON.stringify(options));
    }
  });
});

describe('resolving documents from a loopback server (dangerouslyAllowLoopback)', () => {
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
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    requests.length = 0;
  });

  const resolver = (options: ClientMetadataDocumentOptions = {}) => createClientMetadataDocumentResolver({ dangerouslyAllowLoopback: true, ...options });

  it('accepts a valid document and returns a public client', async () => {
    handler = serveJson((url) => document(url, { scope: 'mcp:tools mcp:read', logo_uri: 'https://app.example/logo.png', unknown_field: 'dropped' }));
    const clientId = `${base}/client.json`;
    const client = await resolver({ now: () => 1_700_000_000_500 }).resolve(clientId);
    assert.equal(client.clientId, clientId);
    assert.equal(client.secretHash, null);
    assert.equal(client.tokenEndpointAuthMethod, 'none');
    assert.equal(client.source, 'dynamic');
    assert.equal(client.clientName, 'Doc Client');
    assert.deepEqual(client.redirectUris, ['http://127.0.0.1:3000/callback']);
    assert.deepEqual(client.grantTypes, ['authorization_code', 'refresh_token']);
    assert.deepEqual(client.scope, ['mcp:read', 'mcp:tools']);
    assert.equal(client.createdAt, 1_700_000_000);
    assert.equal(client.metadata.client_id, clientId);
    assert.equal(client.metadata.logo_uri, 'https://app.example/logo.png');
    assert.equal('unknown_field' in client.metadata, false, 'unknown fields are ignored');
  });

  it('defaults grant types and leaves scope open when the document names none', async () => {
    handler = serveJson((url) => ({ client_id: url, redirect_uris: ['https://app.example/cb'] }));
    const client = await resolver().resolve(`${base}/minimal.json`);
    assert.deepEqual(client.grantTypes, ['authorization_code']);
    assert.equal(client.scope, null);
    assert.equal(client.clientName, null);
  });

  it('accepts an application/<type>+json content type', async () => {
    handler = serveJson((url) => document(url), { 'Content-Type': 'application/oauth-client-metadata+json; charset=utf-8' });
    await resolver().resolve(`${base}/typed.json`);
  });

  const refusals: [string, Handler, string][] = [
    ['a document naming another client_id', serveJson(() => document('https://evil.example/client.json')), 'document'],
    ['a client_id that differs only by normalization', serveJson((url) => document(url.replace('/client.json', '/./client.json'))), 'document'],
    ['a document without redirect_uris', serveJson((url) => ({ client_id: url, client_name: 'x' })), 'document'],
    ['an empty redirect_uris', serveJson((url) => document(url, { redirect_uris: [] })), 'document'],
    ['a javascript: redirect URI', serveJson((url) => document(url, { redirect_uris: ['javascript:alert(1)'] })), 'document'],
    ['an http redirect URI that is not loopback', serveJson((url) => document(url, { redirect_uris: ['http://app.example/cb'] })), 'document'],
    ['a redirect URI with a fragment', serveJson((url) => document(url, { redirect_uris: ['https://app.example/cb#x'] })), 'document'],
    ['a document holding a client secret', serveJson((url) => document(url, { client_secret: 's3cret' })), 'document'],
    ['a document with client_secret_expires_at', serveJson((url) => document(url, { client_secret_expires_at: 0 })), 'document'],
    ['a private key in jwks', serveJson((url) => document(url, { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } })), 'document'],
    ['a shared-secret auth method', serveJson((url) => document(url, { token_endpoint_auth_method: 'client_secret_basic' })), 'document'],
    ['private_key_jwt (not supported yet)', serveJson((url) => document(url, { token_endpoint_auth_method: 'private_key_jwt' })), 'document'],
    ['an implicit grant', serveJson((url) => document(url, { grant_types: ['implicit'] })), 'document'],
    ['client_credentials', serveJson((url) => document(url, { grant_types: ['authorization_code', 'client_credentials'] })), 'document'],
    ['a token response type', serveJson((url) => document(url, { response_types: ['code', 'token'] })), 'document'],
    ['a malformed scope', serveJson((url) => document(url, { scope: 'a "b"' })), 'document'],
    ['a javascript: logo_uri', serveJson((url) => document(url, { logo_uri: 'javascript:alert(1)' })), 'document'],
    ['a JSON array', serveJson((url) => [document(url)]), 'document'],
    ['invalid JSON', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{not json'), 'json'],
    ['a body that is not UTF-8', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(Buffer.from([0x7b, 0xff, 0x7d])), 'json'],
    ['a non-JSON content type', (_req, res, url) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(JSON.stringify(document(url))), 'content-type'],
    ['a missing content type', (_req, res, url) => res.writeHead(200).end(JSON.stringify(document(url))), 'content-type'],
    ['a 404', (_req, res) => res.writeHead(404).end(), 'status'],
    ['a 500', (_req, res) => res.writeHead(500).end(), 'status'],
    ['a 204', (_req, res) => res.writeHead(204).end(), 'status'],
  ];
  for (const [name, serve, reason] of refusals) {
    it(`refuses ${name}`, async () => {
      handler = serve;
      await assert.rejects(resolver().resolve(`${base}/client.json`), refusedFor(reason));
    });
  }

  for (const status of [301, 302, 303, 307, 308]) {
    it(`refuses a ${status} redirect and never requests its target (draft §5)`, async () => {
      handler = (req, res) => {
        if (req.url === '/moved.json') res.writeHead(status, { Location: `${base}/target.json` }).end();
        else serveJson((url) => document(url))(req, res, `${base}${req.url}`);
      };
      await assert.rejects(resolver().resolve(`${base}/moved.json`), refusedFor('redirect'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(requests, ['/moved.json']);
    });
  }

  it('stops reading a body that grows past maxBytes (draft §8.7)', async () => {
    const cap = 16 * 1024 * 1024;
    let sent = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1024, 0x20);
      const pump = () => {
        while (!res.destroyed && sent < cap) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      res.write('{"client_id":');
      pump();
    };
    await assert.rejects(resolver({ maxBytes: 4096, timeoutMs: 10_000 }).resolve(`${base}/huge.json`), refusedFor('size'));
    assert.ok(sent < cap, 'the server was cut off long before it finished');
  });

  it('stops at the first bytes past maxBytes, however long the body would go on', async () => {
    let sent = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"client_id":');
      const pace = setInterval(() => {
        if (res.destroyed) return clearInterval(pace);
        sent += 1024;
        res.write(Buffer.alloc(1024, 0x20));
      }, 2);
      res.on('close', () => clearInterval(pace));
    };
    await assert.rejects(resolver({ maxBytes: 4096, timeoutMs: 5000 }).resolve(`${base}/paced.json`), refusedFor('size'));
    assert.ok(sent < 32 * 1024, `read no further than the limit (server had sent ${sent} bytes)`);
  });

  it('refuses a declared Content-Length over maxBytes without waiting for the body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' });
      res.write('{');
    };
    await assert.rejects(resolver({ maxBytes: 5120, timeoutMs: 5000 }).resolve(`${base}/declared.json`), refusedFor('size'));
  });

  it('accepts a document of exactly maxBytes', async () => {
    handler = (_req, res, url) => {
      const body = JSON.stringify(document(url));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body.slice(0, -1) + ' '.repeat(1000 - body.length) + '}');
    };
    await resolver({ maxBytes: 1000 }).resolve(`${base}/exact.json`);
  });

  it('gives up on a server that never answers', async () => {
    handler = () => {
      /* never answers */
    };
    const started = Date.now();
    await assert.rejects(resolver({ timeoutMs: 200 }).resolve(`${base}/silent.json`), refusedFor('timeout'));
    assert.ok(Date.now() - started < 3000);
  });

  it('bounds the whole fetch, not each read: a body dripped slowly times out', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{');
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
      res.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    await assert.rejects(resolver({ timeoutMs: 300 }).resolve(`${base}/drip.json`), refusedFor('timeout'));
    assert.ok(Date.now() - started < 3000);
  });

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
      handler = serve;
      await assert.rejects(resolver().resolve(`${base}/leak.json`), (error: unknown) => {
        assert.ok(error instanceof OAuthError);
        const { error_description: description } = error.toJSON();
        assert.ok(!description.includes(marker), description);
        assert.ok(!description.includes('127.0.0.1'), description);
        return true;
      });
    }
  });

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
      handler = serveJson((url) => document(url), { 'Cache-Control': 'public, max-age=120' });
      const docs = cachingResolver();
      await docs.resolve(`${base}/cached.json`);
      at(start + 119_000);
      await docs.resolve(`${base}/cached.json`);
      assert.equal(requests.length, 1, 'served from cache while max-age holds');
      at(start + 121_000);
      await docs.resolve(`${base}/cached.json`);
      assert.equal(requests.length, 2, 'refetched after expiry');
    });

    it('subtracts Age from max-age', async () => {
      const start = clock;
      handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600', Age: '500' });
      const docs = cachingResolver();
      await docs.resolve(`${base}/aged.json`);
      at(start + 99_000);
      await docs.resolve(`${base}/aged.json`);
      assert.equal(requests.length, 1);
      at(start + 101_000);
      await docs.resolve(`${base}/aged.json`);
      assert.equal(requests.length, 2);
    });

    it('refetches every time under no-store, and under no-cache', async () => {
      for (const directive of ['no-store', 'no-cache', 'max-age=600, no-store']) {
        requests.length = 0;
        handler = serveJson((url) => document(url), { 'Cache-Control': directive });
        const docs = cachingResolver();
        for (let i = 0; i < 3; i++) await docs.resolve(`${base}/uncached.json`);
        assert.equal(requests.length, 3, directive);
      }
    });

    it('honors Expires when there is no max-age', async () => {
      const start = clock;
      handler = serveJson((url) => document(url), { Expires: new Date(start + 600_000).toUTCString() });
      const docs = cachingResolver();
      await docs.resolve(`${base}/expires.json`);
      at(start + 590_000);
      await docs.resolve(`${base}/expires.json`);
      assert.equal(requests.length, 1);
      at(start + 610_000);
      await docs.resolve(`${base}/expires.json`);
      assert.equal(requests.length, 2);
    });

    it('clamps the lifetime to [minCacheSeconds, maxCacheSeconds]', async () => {
      const start = clock;
      handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=1' });
      const short = cachingResolver({ minCacheSeconds: 60 });
      await short.resolve(`${base}/short.json`);
      at(start + 59_000);
      await short.resolve(`${base}/short.json`);
      assert.equal(requests.length, 1, 'a 1 s max-age is raised to the minimum');
      at(start + 61_000);
      await short.resolve(`${base}/short.json`);
      assert.equal(requests.length, 2);

      at(start);
      requests.length = 0;
      handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=999999999' });
      const long = cachingResolver({ maxCacheSeconds: 86_400 });
      await long.resolve(`${base}/long.json`);
      at(start + 86_399_000);
      await long.resolve(`${base}/long.json`);
      assert.equal(requests.length, 1);
      at(start + 86_401_000);
      await long.resolve(`${base}/long.json`);
      assert.equal(requests.length, 2, 'a huge max-age is cut to the maximum');
    });

    it('uses defaultCacheSeconds when the response has no cache headers', async () => {
      const start = clock;
      handler = serveJson((url) => document(url));
      const docs = cachingResolver({ defaultCacheSeconds: 300 });
      await docs.resolve(`${base}/default.json`);
      at(start + 299_000);
      await docs.resolve(`${base}/default.json`);
      assert.equal(requests.length, 1);
      at(start + 301_000);
      await docs.resolve(`${base}/default.json`);
      assert.equal(requests.length, 2);
    });

    it('does not cache a failure', async () => {
      let calls = 0;
      handler = (req, res, url) => (calls++ === 0 ? res.writeHead(503).end() : serveJson(() => document(url), { 'Cache-Control': 'max-age=600' })(req, res, url));
      const docs = cachingResolver();
      await assert.rejects(docs.resolve(`${base}/flaky.json`), refusedFor('status'));
      await docs.resolve(`${base}/flaky.json`);
      assert.equal(requests.length, 2);
    });

    it('does not cache an invalid document', async () => {
      handler = serveJson(() => document('https://other.example/c'), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver();
      await assert.rejects(docs.resolve(`${base}/invalid.json`), refusedFor('document'));
      await assert.rejects(docs.resolve(`${base}/invalid.json`), refusedFor('document'));
      assert.equal(requests.length, 2);
    });

    it('keeps at most maxCacheEntries documents, evicting the oldest', async () => {
      handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver({ maxCacheEntries: 2 });
      for (const name of ['a', 'b', 'c']) await docs.resolve(`${base}/${name}.json`);
      await docs.resolve(`${base}/c.json`);
      await docs.resolve(`${base}/b.json`);
      assert.equal(requests.length, 3, 'b and c are still cached');
      await docs.resolve(`${base}/a.json`);
      assert.equal(requests.length, 4, 'a was evicted');
    });

    it('caches nothing when maxCacheEntries is 0', async () => {
      handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver({ maxCacheEntries: 0 });
      await docs.resolve(`${base}/nocache.json`);
      await docs.resolve(`${base}/nocache.json`);
      assert.equal(requests.length, 2);
    });

    it('hands out copies: a caller changing its record does not change the cache', async () => {
      handler = serveJson((url) => document(url), { 'Cache-Control': 'max-age=600' });
      const docs = cachingResolver();
      const first = await docs.resolve(`${base}/copy.json`);
      first.redirectUris.push('https://evil.example/cb');
      const second = await docs.resolve(`${base}/copy.json`);
      assert.deepEqual(second.redirectUris, ['http://127.0.0.1:3000/callback']);
      assert.equal(requests.length, 1);
    });
  });

  it('shares one fetch between concurrent resolves of one URL', async () => {
    handler = (req, res, url) => setTimeout(() => serveJson(() => document(url), { 'Cache-Control': 'no-store' })(req, res, url), 100);
    const docs = resolver();
    const clients = await Promise.all(Array.from({ length: 5 }, () => docs.resolve(`${base}/shared.json`)));
    assert.equal(requests.length, 1);
    for (const client of clients) assert.deepEqual(client, clients[0]);
  });

  it('shares a failure too, and retries on the next resolve', async () => {
    handler = (_req, res) => setTimeout(() => res.writeHead(500).end(), 50);
    const docs = resolver();
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => docs.resolve(`${base}/failing.json`)));
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.equal(requests.length, 1);
    await assert.rejects(docs.resolve(`${base}/failing.json`), refusedFor('status'));
    assert.equal(requests.length, 2);
  });

  it('does not let a slow client id hold up another', async () => {
    handler = (req, res, url) => {
      if (req.url !== '/slow.json') serveJson(() => document(url))(req, res, url);
    };
    const docs = resolver({ timeoutMs: 1500 });
    let slowSettled = false;
    const slow = docs.resolve(`${base}/slow.json`).finally(() => {
      slowSettled = true;
    });
    await docs.resolve(`${base}/fast.json`);
    assert.equal(slowSettled, false, 'the fast document did not wait for the slow one');
    await assert.rejects(slow, refusedFor('timeout'));
  });

  it('connects to the address it checked, resolving the name once (no DNS rebinding)', async (t) => {
    // The document is served on 127.0.0.2 only. The first lookup answers 127.0.0.2; a second one
    // would answer 127.0.0.3, and the system's own answer for localhost is 127.0.0.1: only a
    // connection to the pinned first answer reaches the document.
    const pinned = createServer((req, res) => serveJson(() => document(`http://localhost:${port}/pinned.json`))(req, res, ''));
    const listening = await new Promise<boolean>((resolve) => {
      pinned.once('error', () => resolve(false));
      pinned.listen(0, '127.0.0.2', () => resolve(true));
    });
    if (!listening) return t.skip('127.0.0.2 is not a loopback address on this system');
    const port = (pinned.address() as AddressInfo).port;
    const lookups: string[] = [];
    const lookup: AddressLookup = (hostname, _options, callback) => {
      lookups.push(hostname);
      callback(null, [{ address: lookups.length === 1 ? '127.0.0.2' : '127.0.0.3', family: 4 }]);
    };
    try {
      const client = await resolver({ lookup }).resolve(`http://localhost:${port}/pinned.json`);
      assert.equal(client.clientId, `http://localhost:${port}/pinned.json`);
      assert.deepEqual(lookups, ['localhost']);
    } finally {
      pinned.closeAllConnections();
      pinned.close();
    }
  });

  it('even with the switch, refuses http to a loopback name that resolves elsewhere', async () => {
    const lookup: AddressLookup = (_hostname, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }, { address: '10.0.0.5', family: 4 }]);
    await assert.rejects(resolver({ lookup }).resolve('http://localhost:9/c.json'), refusedFor('address'));
  });
});

describe('SSRF protection without the dangerous switch (draft §8.6)', () => {
  /** Every socket connection attempted while these tests run; each is stopped before it is made. */
  const connections: unknown[] = [];
  const realConnect = Socket.prototype.connect;
  before(() => {
    Socket.prototype.connect = function trappedConnect(this: Socket, ...args: unknown[]) {
      connections.push(args[0]);
      process.nextTick(() => this.destroy(new Error('connection trapped by the test')));
      return this;
    } as typeof Socket.prototype.connect;
  });
  after(() => {
    Socket.prototype.connect = realConnect;
  });
  afterEach(() => {
    assert.deepEqual(connections.splice(0), [], 'no connection was attempted');
  });

  const lookups: string[] = [];
  const answers: Record<string, LookupAddress[]> = {
    'internal.example': [{ address: '10.1.2.3', family: 4 }],
    'cgnat.example': [{ address: '100.64.1.1', family: 4 }],
    'metadata.example': [{ address: '169.254.169.254', family: 4 }],
    'mapped.example': [{ address: '::ffff:192.168.0.1', family: 6 }],
    'ula.example': [{ address: 'fd12:3456::1', family: 6 }],
    'loopback.example': [{ address: '127.0.0.1', family: 4 }],
    'mixed.example': [{ address: '93.184.215.14', family: 4 }, { address: '127.0.0.1', family: 4 }],
    'empty.example': [],
  };
  const lookup: AddressLookup = (hostname, _options, callback) => {
    lookups.push(hostname);
    if (hostname === 'hang.example') return;
    const found = answers[hostname];
    if (found === undefined) callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    else callback(null, found);
  };
  const strict = createClientMetadataDocumentResolver({ timeoutMs: 2000, lookup });
  beforeEach(() => {
    lookups.length = 0;
  });

  for (const url of [
    'http://app.example/client.json',
    'http://127.0.0.1:8080/client.json',
    'http://localhost/client.json',
  ]) {
    it(`refuses the http URL ${url}`, async () => {
      await assert.rejects(strict.resolve(url), refusedFor('url'));
      assert.deepEqual(lookups, []);
    });
  }

  for (const url of [
    'https://127.0.0.1/client.json',
    'https://127.1.2.3:8443/x',
    'https://10.0.0.1/x',
    'https://172.16.0.1/x',
    'https://192.168.1.1/x',
    'https://[::1]/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[::ffff:127.0.0.1]/x',
    'https://[::ffff:10.0.0.1]/x',
    'https://[::127.0.0.1]/x',
    'https://100.64.0.1/x',
    'https://[fd00::1]/x',
    'https://[fe80::1]/x',
    'https://224.0.0.1/x',
    'https://0.0.0.0/x',
    'https://[::]/x',
    'https://2130706433/x',
    'https://0x7f.1/x',
    'https://[64:ff9b::a00:1]/x',
    'https://[2002:a00:1::]/x',
    'https://[2001::1]/x',
    'https://192.88.99.1/x',
  ]) {
    it(`refuses ${url} before connecting`, async () => {
      const started = Date.now();
      await assert.rejects(strict.resolve(url), refusedFor('address'));
      assert.ok(Date.now() - started < 1000);
      assert.deepEqual(lookups, [], 'an IP literal is checked without DNS');
    });
  }

  for (const hostname of ['internal.example', 'cgnat.example', 'metadata.example', 'mapped.example', 'ula.example', 'loopback.example', 'mixed.example']) {
    it(`refuses ${hostname}, whose DNS answer holds a special-use address`, async () => {
      await assert.rejects(strict.resolve(`https://${hostname}/client.json`), refusedFor('address'));
      assert.deepEqual(lookups, [hostname]);
    });
  }

  it('refuses a name that does not resolve, or resolves to nothing', async () => {
    await assert.rejects(strict.resolve('https://nowhere.example/client.json'), refusedFor('dns'));
    await assert.rejects(strict.resolve('https://empty.example/client.json'), refusedFor('dns'));
  });

  it('counts DNS in the time limit', async () => {
    const started = Date.now();
    await assert.rejects(createClientMetadataDocumentResolver({ timeoutMs: 200, lookup }).resolve('https://hang.example/c.json'), refusedFor('timeout'));
    assert.ok(Date.now() - started < 3000);
  });

  it('refuses a malformed client id without any lookup', async () => {
    for (const url of ['https://app.example/', 'https://app.example/a/../c', 'https://u@app.example/c', 'pc_abc']) {
      await assert.rejects(strict.resolve(url), refusedFor('url'));
    }
    assert.deepEqual(lookups, []);
  });
});
