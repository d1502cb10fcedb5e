import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalOriginCheck, isLocalEndpoint } from '../../src/resource/local-origin-check.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('the local endpoint check (DNS rebinding; MCP Streamable HTTP security warning)', () => {
  it('knows a local endpoint: localhost, loopback and private IP literals, not public names or addresses', () => {
    for (const url of ['http://localhost:8080/mcp', 'http://127.0.0.1:8080/mcp', 'http://[::1]:8080/mcp', 'http://192.168.1.5/mcp', 'http://10.0.0.2/mcp']) {
      assert.equal(isLocalEndpoint(new URL(url)), true, url);
    }
    for (const url of ['https://mcp.example.com/mcp', 'https://93.184.216.34/mcp']) assert.equal(isLocalEndpoint(new URL(url)), false, url);
  });

  it('on loopback, answers its own host under every loopback name of its port, and refuses any other host with 403', async () => {
    const check = createLocalOriginCheck({ resource: 'http://127.0.0.1:8080/mcp' });
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'LOCALHOST:8080']) assert.equal(check(headers({ host })), undefined, host);
    for (const host of ['evil.example', 'evil.example:8080', '127.0.0.1:9090', 'attacker.localhost:8080']) {
      const refused = check(headers({ host }));
      assert.ok(refused !== undefined, host);
      assert.equal(refused.status, 403, host);
      assert.equal(((await refused.json()) as { error: { data: { reason: string } } }).error.data.reason, 'host_not_allowed');
    }
  });

  it('refuses a foreign Origin, and `Origin: null`, but not a request without one (a non-browser client)', async () => {
    const check = createLocalOriginCheck({ resource: 'http://localhost:3000/mcp' });
    assert.equal(check(headers({ host: 'localhost:3000' })), undefined);
    assert.equal(check(headers({ host: 'localhost:3000', origin: 'http://localhost:3000' })), undefined);
    assert.equal(check(headers({ host: 'localhost:3000', origin: 'http://127.0.0.1:3000' })), undefined);
    for (const origin of ['https://evil.example', 'null', 'http://localhost:3001', 'https://localhost:3000']) {
      const refused = check(headers({ host: 'localhost:3000', origin }));
      assert.ok(refused !== undefined, origin);
      assert.equal(refused.status, 403, origin);
      assert.equal(((await refused.json()) as { error: { data: { reason: string } } }).error.data.reason, 'origin_not_allowed');
    }
  });

  it('lets the operator allow browser origins', () => {
    const check = createLocalOriginCheck({ resource: 'http://127.0.0.1:8080/mcp', allowedOrigins: ['https://inspector.example.com'] });
    assert.equal(check(headers({ host: '127.0.0.1:8080', origin: 'https://inspector.example.com' })), undefined);
    assert.equal(check(headers({ host: '127.0.0.1:8080', origin: 'https://other.example.com' }))?.status, 403);
  });

  it('leaves a public endpoint to its Host routing, and checks Origin there only against an allowed list', () => {
    const open = createLocalOriginCheck({ resource: 'https://mcp.example.com/mcp' });
    assert.equal(open(headers({ host: 'internal-name:8080', origin: 'https://any.example' })), undefined);
    const listed = createLocalOriginCheck({ resource: 'https://mcp.example.com/mcp', allowedOrigins: ['https://app.example.com'] });
    assert.equal(listed(headers({ origin: 'https://app.example.com' })), undefined);
    assert.equal(listed(headers({ origin: 'https://evil.example' }))?.status, 403);
  });
});
