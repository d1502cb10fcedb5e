/**
 * The gateway on loopback refuses what a DNS-rebinding page would send: a foreign `Origin`, and a
 * `Host` that is not one of its names (MCP Streamable HTTP security warning), over real HTTP,
 * before any token is looked at; `gateway.allowedOrigins` lets a browser-based client in.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/** A POST to the MCP endpoint with exactly these headers (node:http lets a test set Host). */
function post(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
  });
}

describe('gateway on loopback: Origin and Host', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ gateway: { allowedOrigins: ['https://inspector.example.com'] } });
  });
  after(() => gateway.close());

  it('challenges a request from its own origin, an allowed one, or none (a non-browser client)', async () => {
    const { port } = new URL(gateway.mcpUrl);
    for (const headers of [{}, { origin: `http://127.0.0.1:${port}` }, { origin: 'https://inspector.example.com' }, { host: `localhost:${port}` }]) {
      assert.equal((await post(gateway.mcpUrl, headers)).status, 401, JSON.stringify(headers));
    }
  });

  it('refuses a foreign Origin and a foreign Host with 403, even with a valid-looking token', async () => {
    const foreignOrigin = await post(gateway.mcpUrl, { origin: 'https://evil.example', authorization: 'Bearer anything' });
    assert.equal(foreignOrigin.status, 403);
    assert.match(foreignOrigin.body, /origin_not_allowed/);
    const rebound = await post(gateway.mcpUrl, { host: 'evil.example' });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /host_not_allowed/);
  });

  it('keeps its metadata readable from any origin (it holds nothing secret)', async () => {
    const metadata = await fetch(new URL('/.well-known/oauth-protected-resource/mcp', gateway.mcpUrl), { headers: { origin: 'https://evil.example' } });
    assert.equal(metadata.status, 200);
  });
});
