import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createClientMetadataDocumentResolver } from '../../../src/server/clients/client-metadata-document.js';
import type { AddressLookup } from '../../../src/server/clients/client-metadata-document-fetch.js';
import { document, type Handler, refusedFor, serveJson, useDocumentServer } from './client-metadata-document-fixture.js';

describe('fetching documents from a loopback server (dangerouslyAllowLoopback)', () => {
  const site = useDocumentServer();
  const { requests, resolver } = site;

  it('accepts an application/<type>+json content type', async () => {
    site.handler = serveJson((url) => document(url), { 'Content-Type': 'application/oauth-client-metadata+json; charset=utf-8' });
    await resolver().resolve(`${site.base}/typed.json`);
  });

  const refusals: [string, Handler, string][] = [
    ['a body that is not UTF-8', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(Buffer.from([0x7b, 0xff, 0x7d])), 'json'],
    ['a non-JSON content type', (_req, res, url) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(JSON.stringify(document(url))), 'content-type'],
    ['a missing content type', (_req, res, url) => res.writeHead(200).end(JSON.stringify(document(url))), 'content-type'],
    ['a 404', (_req, res) => res.writeHead(404).end(), 'status'],
    ['a 500', (_req, res) => res.writeHead(500).end(), 'status'],
    ['a 204', (_req, res) => res.writeHead(204).end(), 'status'],
  ];
  for (const [name, serve, reason] of refusals) {
    it(`refuses ${name}`, async () => {
      site.handler = serve;
      await assert.rejects(resolver().resolve(`${site.base}/client.json`), refusedFor(reason));
    });
  }

  for (const status of [301, 302, 303, 307, 308]) {
    it(`refuses a ${status} redirect and never requests its target (draft §5)`, async () => {
      site.handler = (req, res) => {
        if (req.url === '/moved.json') res.writeHead(status, { Location: `${site.base}/target.json` }).end();
        else serveJson((url) => document(url))(req, res, `${site.base}${req.url}`);
      };
      await assert.rejects(resolver().resolve(`${site.base}/moved.json`), refusedFor('redirect'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(requests, ['/moved.json']);
    });
  }

  it('stops reading a body that grows past maxBytes (draft §8.7)', async () => {
    const cap = 16 * 1024 * 1024;
    let sent = 0;
    site.handler = (_req, res) => {
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
    await assert.rejects(resolver({ maxBytes: 4096, timeoutMs: 10_000 }).resolve(`${site.base}/huge.json`), refusedFor('size'));
    assert.ok(sent < cap, 'the server was cut off long before it finished');
  });

  it('stops at the first bytes past maxBytes, however long the body would go on', async () => {
    let sent = 0;
    site.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"client_id":');
      const pace = setInterval(() => {
        if (res.destroyed) return clearInterval(pace);
        sent += 1024;
        res.write(Buffer.alloc(1024, 0x20));
      }, 2);
      res.on('close', () => clearInterval(pace));
    };
    await assert.rejects(resolver({ maxBytes: 4096, timeoutMs: 5000 }).resolve(`${site.base}/paced.json`), refusedFor('size'));
    assert.ok(sent < 32 * 1024, `read no further than the limit (server had sent ${sent} bytes)`);
  });

  it('refuses a declared Content-Length over maxBytes without waiting for the body', async () => {
    site.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' });
      res.write('{');
    };
    await assert.rejects(resolver({ maxBytes: 5120, timeoutMs: 5000 }).resolve(`${site.base}/declared.json`), refusedFor('size'));
  });

  it('accepts a document of exactly maxBytes', async () => {
    site.handler = (_req, res, url) => {
      const body = JSON.stringify(document(url));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(`${body.slice(0, -1)}${' '.repeat(1000 - body.length)}}`);
    };
    await resolver({ maxBytes: 1000 }).resolve(`${site.base}/exact.json`);
  });

  it('gives up on a server that never answers', async () => {
    site.handler = () => {
      /* never answers */
    };
    const started = Date.now();
    await assert.rejects(resolver({ timeoutMs: 200 }).resolve(`${site.base}/silent.json`), refusedFor('timeout'));
    assert.ok(Date.now() - started < 3000);
  });

  it('bounds the whole fetch, not each read: a body dripped slowly times out', async () => {
    site.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{');
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
      res.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    await assert.rejects(resolver({ timeoutMs: 300 }).resolve(`${site.base}/drip.json`), refusedFor('timeout'));
    assert.ok(Date.now() - started < 3000);
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
    const lookup: AddressLookup = (_hostname, _options, callback) =>
      callback(null, [
        { address: '127.0.0.1', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ]);
    await assert.rejects(resolver({ lookup }).resolve('http://localhost:9/c.json'), refusedFor('address'));
  });

  for (const address of ['169.254.169.254', 'fd00:ec2::254', 'fe80::1']) {
    it(`even with the switch, refuses https to a cloud metadata or link-local address (${address})`, async () => {
      const lookup: AddressLookup = (_hostname, _options, callback) => callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
      await assert.rejects(resolver({ lookup }).resolve('https://documents.example/c.json'), refusedFor('address'));
    });
  }
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
    'mixed.example': [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ],
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

  for (const url of ['http://app.example/client.json', 'http://127.0.0.1:8080/client.json', 'http://localhost/client.json']) {
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
