/** The size-limited body readers: one limit policy on both transports (declared, read, framing). */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { readIncomingMessageBody, readWebRequestBody } from '../../src/http/size-limited-body.js';
import { streamedBody } from '../support/streamed-body.js';

const LIMIT = 1024;

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));

describe('readWebRequestBody', () => {
  const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
    new Request('http://localhost/', { method: 'POST', headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);

  it('reads a body with a Content-Length, a streamed one, and none', async () => {
    assert.equal(text(await readWebRequestBody(post('a=1', { 'content-length': '3' }), LIMIT)), 'a=1');
    assert.equal(text(await readWebRequestBody(post(streamedBody('x'.repeat(LIMIT), 100)), LIMIT)), 'x'.repeat(LIMIT));
    assert.equal(text(await readWebRequestBody(new Request('http://localhost/'), LIMIT)), '');
  });

  it('refuses a declared length over the limit without reading the body', async () => {
    const request = post('a=1', { 'content-length': String(LIMIT + 1) });
    assert.equal(await readWebRequestBody(request, LIMIT), null);
    assert.equal(request.bodyUsed, false);
  });

  it('refuses a body over the limit that declared less, or streamed past it', async () => {
    assert.equal(await readWebRequestBody(post('x'.repeat(LIMIT + 1), { 'content-length': '3' }), LIMIT), null);
    assert.equal(await readWebRequestBody(post(streamedBody('x'.repeat(LIMIT + 1), 100)), LIMIT), null);
  });

  it('does not trust a Content-Length sent beside Transfer-Encoding, nor one that is not digits', async () => {
    assert.equal(
      text(await readWebRequestBody(post(streamedBody('abc', 100), { 'content-length': String(LIMIT + 1), 'transfer-encoding': 'chunked' }), LIMIT)),
      'abc',
    );
    assert.equal(text(await readWebRequestBody(post('abc', { 'content-length': '1e9' }), LIMIT)), 'abc');
  });
});

describe('readIncomingMessageBody', () => {
  let server: Server;
  let url: string;
  let read: (request: IncomingMessage) => Promise<unknown>;
  before(async () => {
    server = createServer((request, response) => {
      read(request).then(
        (result) => response.writeHead(200, { connection: 'close' }).end(JSON.stringify(result)),
        (error: Error) => response.writeHead(500).end(error.message),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => server.close());

  /** Sends `body` with a Content-Length or chunked; an early close by the server counts as refused. */
  function send(body: string, framing: 'content-length' | 'chunked'): Promise<string> {
    return new Promise((resolve, reject) => {
      const headers = framing === 'content-length' ? { 'content-length': String(Buffer.byteLength(body)) } : { 'transfer-encoding': 'chunked' };
      const request = httpRequest(url, { method: 'POST', headers }, (response) => {
        let answer = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
        response.on('end', () => resolve(answer));
      });
      request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve('null') : reject(error)));
      if (framing === 'chunked') for (let i = 0; i < body.length; i += 100) request.write(body.slice(i, i + 100));
      request.end(framing === 'chunked' ? undefined : body);
    });
  }

  it('reads a body up to the limit, declared or chunked', async () => {
    read = async (request) => text(await readIncomingMessageBody(request, LIMIT));
    for (const framing of ['content-length', 'chunked'] as const) assert.equal(JSON.parse(await send('x'.repeat(LIMIT), framing)), 'x'.repeat(LIMIT), framing);
  });

  it('refuses a body over the limit, declared (never read) or chunked (read no further)', async () => {
    const flowing: (boolean | null)[] = [];
    read = async (request) => {
      const result = await readIncomingMessageBody(request, LIMIT);
      flowing.push(request.readableFlowing);
      return result;
    };
    for (const framing of ['content-length', 'chunked'] as const) assert.equal(JSON.parse(await send('x'.repeat(LIMIT + 1), framing)), null, framing);
    assert.deepEqual(flowing, [null, false], 'declared: never read; chunked: paused, not drained');
  });

  it('rejects when the client goes away mid-body', { timeout: 5000 }, async () => {
    let outcome!: Promise<string>;
    const done = new Promise<void>((resolve) => {
      read = (request) => {
        outcome = readIncomingMessageBody(request, LIMIT).then(
          () => 'resolved',
          (error: Error) => `rejected: ${error.message}`,
        );
        void outcome.then(() => resolve());
        return new Promise(() => {});
      };
    });
    const request = httpRequest(url, { method: 'POST', headers: { 'content-length': '1000' } });
    request.on('error', () => {});
    request.write('partial');
    setTimeout(() => request.destroy(), 50);
    await done;
    assert.match(await outcome, /^rejected/);
  });
});
