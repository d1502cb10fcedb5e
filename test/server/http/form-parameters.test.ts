/** Reading form bodies: the size limit holds whichever way the body arrives. */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import { MAX_BODY_BYTES, readFormBody } from '../../../src/server/http/form-parameters.js';
import { listen, type RunningHttpServer } from '../../../src/server/http/listen.js';
import { streamedBody } from '../../support/streamed-body.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function refusal(read: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await read;
  } catch (error) {
    assert.ok(error instanceof OAuthError);
    return { code: error.code, status: error.status };
  }
  assert.fail('the body was accepted');
}

describe('readFormBody', () => {
  it('reads parameters from a body with a Content-Length', async () => {
    const body = 'grant_type=refresh_token&client_id=a%20b';
    const request = new Request('http://localhost/token', { method: 'POST', headers: { ...FORM, 'content-length': String(body.length) }, body });
    assert.deepEqual(await readFormBody(request), { grant_type: 'refresh_token', client_id: 'a b' });
  });

  it('reads parameters from a body without a Content-Length', async () => {
    const request = new Request('http://localhost/token', { method: 'POST', headers: FORM, body: streamedBody('a=1&b=2', 2), duplex: 'half' } as RequestInit);
    assert.deepEqual(await readFormBody(request), { a: '1', b: '2' });
  });

  it('refuses a declared length over the limit with 413 before reading', async () => {
    const request = new Request('http://localhost/token', { method: 'POST', headers: { ...FORM, 'content-length': String(MAX_BODY_BYTES + 1) }, body: 'a=1' });
    assert.deepEqual(await refusal(readFormBody(request)), { code: 'invalid_request', status: 413 });
  });

  it('refuses a body over the limit that declared less', async () => {
    const request = new Request('http://localhost/token', {
      method: 'POST',
      headers: { ...FORM, 'content-length': '3' },
      body: `a=${'x'.repeat(MAX_BODY_BYTES)}`,
    });
    assert.deepEqual(await refusal(readFormBody(request)), { code: 'invalid_request', status: 413 });
  });

  it('refuses a streamed body over the limit', async () => {
    const request = new Request('http://localhost/token', {
      method: 'POST',
      headers: FORM,
      body: streamedBody(`a=${'x'.repeat(MAX_BODY_BYTES)}`),
      duplex: 'half',
    } as RequestInit);
    assert.deepEqual(await refusal(readFormBody(request)), { code: 'invalid_request', status: 413 });
  });

  describe('over a socket', () => {
    let http: RunningHttpServer;
    before(async () => {
      http = await listen(
        async (request) => {
          try {
            return Response.json(await readFormBody(request));
          } catch (error) {
            assert.ok(error instanceof OAuthError);
            return Response.json({ error: error.code }, { status: error.status });
          }
        },
        { port: 0, host: '127.0.0.1' },
      );
    });
    after(() => http.close());

    /** Sends a body as given, with a Content-Length or chunked. */
    function send(body: string, framing: 'content-length' | 'chunked'): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = {
          ...FORM,
          ...(framing === 'content-length' ? { 'content-length': String(Buffer.byteLength(body)) } : { 'transfer-encoding': 'chunked' }),
        };
        const request = httpRequest(`${http.url}/`, { method: 'POST', headers }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        });
        request.on('error', (error: NodeJS.ErrnoException) =>
          error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve({ status: 413, body: '' }) : reject(error),
        );
        request.end(body);
      });
    }

    it('reads a body with a Content-Length, and one sent in chunks', async () => {
      for (const framing of ['content-length', 'chunked'] as const) {
        const response = await send('grant_type=refresh_token&scope=read%20write', framing);
        assert.equal(response.status, 200, framing);
        assert.deepEqual(JSON.parse(response.body), { grant_type: 'refresh_token', scope: 'read write' });
      }
    });

    it('refuses an oversized body with 413, with a Content-Length or in chunks', async () => {
      for (const framing of ['content-length', 'chunked'] as const) {
        assert.equal((await send(`a=${'x'.repeat(MAX_BODY_BYTES)}`, framing)).status, 413, framing);
      }
    });
  });
});
