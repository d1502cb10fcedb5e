import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/server/logger.js';
import { assertTokens, discover, obtainCode, redeemCode, registerPublicClient } from '../support/authorization-flow.js';
import { freePort, startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * `serve --upstream` with nothing listening there: the gateway starts anyway, says so at start,
 * and the 502 a signed-in client then gets names the upstream (its origin, nothing of its path).
 */
describe('gateway with its upstream down', () => {
  const lines: string[] = [];
  let stack: TestGateway;
  let upstreamOrigin: string;

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    upstreamOrigin = `http://127.0.0.1:${await freePort()}`;
    stack = await startTestGateway({
      logger: createLogger({ level: 'info', destination: sink }),
      gateway: { upstream: `${upstreamOrigin}/private-path/mcp?key=s3cret` },
    });
  });
  after(() => stack.close());

  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('warns at start that nothing accepts connections at the upstream, and starts', async () => {
    const warning = entries().find((entry) => entry['event'] === 'upstream_unreachable');
    assert.ok(warning, `a start-up warning in ${lines.join('\n')}`);
    assert.equal(warning['level'], 40, 'warn');
    assert.equal(warning['upstream'], upstreamOrigin);
    assert.equal(warning['problem'], 'ECONNREFUSED');
    assert.match(String(warning['msg']), new RegExp(upstreamOrigin.replace(/[.]/g, '\\.')));
    const metadata = await fetch(`${stack.issuer}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(metadata.status, 200, 'the server runs');
  });

  it('answers a signed-in call with 502 whose JSON-RPC message names the upstream origin, and logs it', async () => {
    await stack.addUser('dora', 'dora password 123');
    const as = await discover(stack.issuer);
    const clientId = await registerPublicClient(as);
    const code = await obtainCode(as, clientId, { username: 'dora', password: 'dora password 123' }, { resource: stack.mcpUrl, scope: 'notes:read' });
    const { access_token: token } = assertTokens(await redeemCode(as, { clientId, code: code.code, verifier: code.verifier, resource: stack.mcpUrl }));
    const response = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(response.status, 502);
    const body = (await response.json()) as { error: { code: number; message: string; data: { reason: string } } };
    assert.equal(body.error.data.reason, 'upstream_unavailable');
    assert.ok(body.error.message.includes(upstreamOrigin), body.error.message);
    const failure = entries().find((entry) => entry['event'] === 'upstream_failed');
    assert.ok(failure, 'the failure is logged');
    assert.equal(failure['upstream'], upstreamOrigin);
    assert.equal(failure['code'], 'ECONNREFUSED');
    for (const text of [body.error.message, ...lines]) {
      assert.ok(!text.includes('private-path') && !text.includes('s3cret'), `only the origin is named: ${text}`);
      assert.ok(!text.includes(token), 'no token in the logs');
    }
  });
});
