/**
 * The token endpoint as node:http answers it (node-token-route.ts) against the same endpoint as the
 * Hono app answers it in process: the same status, OAuth error and headers for each request, and
 * the node route's own body handling (size limit, framing, aborted clients).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '../../../src/server/http/form-parameters.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { clientRecord } from '../../support/store-records.js';

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

const HEADERS_COMPARED = ['content-type', 'cache-control', 'pragma', 'access-control-allow-origin', 'www-authenticate', 'allow'];

/** One raw request over the socket; framing as given. */
function send(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string; chunked?: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const headers: Record<string, string> = {
      ...options.headers,
      ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(Buffer.byteLength(body)) }),
    };
    const request = httpRequest(`${url}${options.path}`, { method: options.method ?? 'POST', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const picked = Object.fromEntries(HEADERS_COMPARED.map((name) => [name, response.headers[name] as string | undefined]));
        resolve({ status: response.statusCode ?? 0, headers: picked, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('the token endpoint on node:http', () => {
  let server: TestServer;
  const confidential = clientRecord({ tokenEndpointAuthMethod: 'client_secret_basic', secretHash: 'not-a-real-hash', source: 'static' });

  before(async () => {
    server = await startTestServer();
    await server.store.clients.create(confidential);
  });
  after(() => server.close());

  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const cases: { name: string; headers: Record<string, string>; body: string }[] = [
    { name: 'no grant_type', headers: FORM, body: 'client_id=x' },
    { name: 'a repeated parameter', headers: FORM, body: 'grant_type=refresh_token&grant_type=refresh_token' },
    { name: 'an unknown client', headers: FORM, body: 'grant_type=refresh_token&client_id=nobody&refresh_token=x' },
    {
      name: 'a wrong client secret (401 with a challenge)',
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${confidential.clientId}:wrong`).toString('base64')}` },
      body: 'grant_type=refresh_token&refresh_token=x',
    },
    { name: 'an unsupported grant type', headers: FORM, body: `grant_type=password&client_id=${confidential.clientId}&client_secret=x` },
    { name: 'a JSON body', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"refresh_token"}' },
    { name: 'no content type', headers: {}, body: 'grant_type=refresh_token' },
    { name: 'bytes that are not UTF-8', headers: FORM, body: 'grant_type=refresh_token&client_id=%FF%FE' },
  ];
  for (const { name, headers, body } of cases) {
    it(`answers ${name} as the Hono route does`, async () => {
      const overSocket = await send(server.url, { path: server.server.paths.token, headers, body });
      const inProcess = await server.server.fetch(new Request(`${server.url}${server.server.paths.token}`, { method: 'POST', headers, body }));
      assert.equal(overSocket.status, inProcess.status);
      assert.ok(overSocket.status >= 400 && overSocket.status < 500, `status ${overSocket.status}`);
      assert.deepEqual(overSocket.body, await inProcess.json());
      assert.equal(typeof overSocket.body['error'], 'string');
      for (const header of HEADERS_COMPARED) assert.equal(overSocket.headers[header], inProcess.headers.get(header) ?? undefined, header);
      assert.equal(overSocket.headers['cache-control'], 'no-store');
    });
  }

  it('ignores a query string on the path, as routing does', async () => {
    const answer = await send(server.url, { path: `${server.server.paths.token}?grant_type=refresh_token`, headers: FORM, body: '' });
    assert.equal(answer.status, 400);
    assert.equal(answer.body['error'], 'invalid_request');
  });

  it('leaves other methods to the app: GET is a 405 that says to POST', async () => {
    const answer = await send(server.url, { method: 'GET', path: server.server.paths.token });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers['allow'], 'POST, OPTIONS');
  });

  it('refuses an oversized body with 413, declared or sent in chunks, and closes the connection', async () => {
    let answered = 0;
    for (const chunked of [false, true]) {
      const answer = await send(server.url, {
        path: server.server.paths.token,
        headers: FORM,
        body: `grant_type=${'x'.repeat(MAX_BODY_BYTES)}`,
        chunked,
      }).catch((error: NodeJS.ErrnoException) => {
        // The server may close before the client finished sending; that is a refusal too.
        assert.ok(error.code === 'ECONNRESET' || error.code === 'EPIPE', String(error));
        return undefined;
      });
      if (answer === undefined) continue;
      assert.equal(answer.status, 413, chunked ? 'chunked' : 'declared');
      assert.equal(answer.body['error'], 'invalid_request');
      answered++;
    }
    assert.ok(answered >= 1, 'at least one 413 was read');
    // The server is still answering.
    assert.equal((await send(server.url, { path: server.server.paths.token, headers: FORM, body: 'client_id=x' })).status, 400);
  });

  it('survives a client that goes away mid-body', async () => {
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${server.url}${server.server.paths.token}`, { method: 'POST', headers: { ...FORM, 'content-length': '1000' } });
      request.on('error', () => resolve());
      request.write('grant_type=refresh_token&refresh_token=');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 50);
    });
    assert.equal((await send(server.url, { path: server.server.paths.token, headers: FORM, body: 'client_id=x' })).status, 400);
  });
});
