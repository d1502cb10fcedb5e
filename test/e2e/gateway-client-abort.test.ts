import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertTokens, discover, obtainCode, redeemCode, registerPublicClient } from '../support/authorization-flow.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * A client that gives up must not leave the gateway's upstream request hanging: over real
 * sockets, the gateway notices the client's socket closing and aborts its call upstream.
 */
describe('gateway: a client that leaves', () => {
  let stack: TestGateway;
  let token: string;
  const held: IncomingMessage[] = [];
  const closed: string[] = [];
  const upstream = createServer((req) => {
    held.push(req);
    req.socket.once('close', () => closed.push(req.url ?? ''));
  });

  before(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    stack = await startTestGateway({ gateway: { upstream: `http://127.0.0.1:${port}/mcp`, upstreamTimeoutSeconds: 30 } });
    await stack.addUser('carol', 'carol password 123');
    const as = await discover(stack.issuer);
    const clientId = await registerPublicClient(as);
    const code = await obtainCode(as, clientId, { username: 'carol', password: 'carol password 123' }, { resource: stack.mcpUrl, scope: 'notes:read' });
    token = assertTokens(await redeemCode(as, { clientId, code: code.code, verifier: code.verifier, resource: stack.mcpUrl })).access_token;
  });
  after(async () => {
    upstream.closeAllConnections();
    upstream.close();
    await stack.close();
  });

  it('aborts the upstream request when the client disconnects before the answer', async () => {
    const controller = new AbortController();
    const call = fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      signal: controller.signal,
    });
    for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(held.length, 1, 'the call reached the upstream');
    controller.abort();
    await assert.rejects(call);
    for (let i = 0; i < 100 && closed.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(closed, ['/mcp'], 'the gateway closed its upstream request');
  });
});
