import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { parseChallenge } from '../../src/core/www-authenticate.js';
import { assertTokens, discover, obtainCode, redeemCode, registerPublicClient, type ServerMetadata } from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const OTHER_RESOURCE = 'https://other.example.com/mcp';
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A JSON-RPC POST to the gateway as an MCP client sends it. */
function mcpPost(url: string, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18', ...headers },
    body: JSON.stringify(message),
  });
}

/** The first JSON-RPC message of a JSON or SSE response body. */
async function firstMessage(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  const data = response.headers.get('content-type')?.startsWith('text/event-stream') ? /^data: (.*)$/m.exec(text)![1]! : text;
  return JSON.parse(data) as Record<string, unknown>;
}

/**
 * Every refusal of the gateway, over loopback HTTP against `portcullis demo`'s stack, with tokens
 * from the real flow: docs/design.md invariants 6 and 9, RFC 6750 §3.1, RFC 9728, MCP session binding.
 */
describe('gateway refusals', () => {
  const clock = new TestClock();
  let stack: TestGateway;
  let as: ServerMetadata;
  let clientId: string;
  const alice = { username: 'alice', password: 'alice password 123' };
  const bob = { username: 'bob', password: 'bob password 1234' };
  const browsers = new Map<string, FormBrowser>();

  async function accessToken(login: { username: string; password: string }, options: { resource?: string; scope?: string } = {}): Promise<string> {
    const resource = options.resource ?? stack.mcpUrl;
    let browser = browsers.get(login.username);
    if (browser === undefined) {
      browser = new FormBrowser(stack.issuer);
      browsers.set(login.username, browser);
    }
    const code = await obtainCode(as, clientId, login, { resource, scope: options.scope ?? 'notes:read', browser });
    return assertTokens(await redeemCode(as, { clientId, code: code.code, verifier: code.verifier, resource })).access_token;
  }
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  before(async () => {
    // Two resources on one server (the gateway's is added to the configured one): a token for the
    // other must not open this one.
    stack = await startTestGateway({ clock, gateway: { tokenCacheSeconds: 5 }, settings: { resources: [{ uri: OTHER_RESOURCE }] } });
    as = await discover(stack.issuer);
    clientId = await registerPublicClient(as, { scope: 'notes:read notes:write' });
    await stack.addUser(alice.username, alice.password);
    await stack.addUser(bob.username, bob.password);
  });
  after(() => stack.close());

  it('publishes RFC 9728 metadata at the path-aware and the root well-known URLs, with resource equal to the endpoint', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await fetch(`${stack.issuer}${path}`);
      assert.equal(response.status, 200, path);
      const metadata = (await response.json()) as Record<string, unknown>;
      assert.equal(metadata['resource'], stack.mcpUrl);
      assert.deepEqual(metadata['authorization_servers'], [stack.issuer]);
      assert.deepEqual(metadata['bearer_methods_supported'], ['header']);
      assert.deepEqual(metadata['scopes_supported'], ['notes:read', 'notes:write']);
    }
  });

  it('answers a request without a token with 401, resource_metadata and scope, and no error code (RFC 6750 §3.1)', async () => {
    const response = await mcpPost(stack.mcpUrl, INITIALIZE);
    assert.equal(response.status, 401);
    const challenge = parseChallenge(response.headers.get('www-authenticate')!)!;
    assert.equal(challenge['resource_metadata'], `${stack.issuer}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(challenge['scope'], 'notes:read');
    assert.equal(challenge['error'], undefined);
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/i);
  });

  it('refuses a token minted by the same server for another resource', async () => {
    const token = await accessToken(alice, { resource: OTHER_RESOURCE });
    const response = await mcpPost(stack.mcpUrl, INITIALIZE, bearer(token));
    assert.equal(response.status, 401);
    assert.equal(parseChallenge(response.headers.get('www-authenticate')!)!['error'], 'invalid_token');
  });

  it('refuses a token signed by a foreign key with the right claims', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(clock.now() / 1000);
    const kid = (await stack.stack.server.signingKeys.current()).kid;
    const forged = await new SignJWT({ client_id: clientId, scope: 'notes:read notes:write', jti: 'forged' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setIssuer(stack.issuer)
      .setAudience(stack.mcpUrl)
      .setSubject('someone')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    const response = await mcpPost(stack.mcpUrl, INITIALIZE, bearer(forged));
    assert.equal(response.status, 401);
    assert.equal(parseChallenge(response.headers.get('www-authenticate')!)!['error'], 'invalid_token');
  });

  it('refuses a malformed token and an expired one', async () => {
    const malformed = await mcpPost(stack.mcpUrl, INITIALIZE, { Authorization: 'Bearer not a token' });
    assert.equal(malformed.status, 401);
    assert.equal(parseChallenge(malformed.headers.get('www-authenticate')!)!['error'], 'invalid_token');

    const token = await accessToken(alice);
    assert.equal((await mcpPost(stack.mcpUrl, INITIALIZE, bearer(token))).status, 200);
    clock.advance(601 + 30);
    try {
      const expired = await mcpPost(stack.mcpUrl, INITIALIZE, bearer(token));
      assert.equal(expired.status, 401);
      assert.equal(parseChallenge(expired.headers.get('www-authenticate')!)!['error'], 'invalid_token');
    } finally {
      clock.advance(-(601 + 30));
    }
  });

  it('refuses a token in the query string, even next to a valid header', async () => {
    const token = await accessToken(alice);
    const response = await mcpPost(`${stack.mcpUrl}?access_token=${token}`, INITIALIZE, bearer(token));
    assert.equal(response.status, 400);
    assert.equal(parseChallenge(response.headers.get('www-authenticate')!)!['error'], 'invalid_request');
  });

  it('stops a revoked token within the configured bound', async () => {
    const token = await accessToken(alice);
    assert.equal((await mcpPost(stack.mcpUrl, INITIALIZE, bearer(token))).status, 200);
    const revoked = await fetch(as.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: clientId }),
    });
    assert.equal(revoked.status, 200);
    clock.advance(6);
    const response = await mcpPost(stack.mcpUrl, INITIALIZE, bearer(token));
    assert.equal(response.status, 401, 'refused once the 5 s cache bound has passed');
    assert.equal(parseChallenge(response.headers.get('www-authenticate')!)!['error'], 'invalid_token');
  });

  it('answers 403 insufficient_scope with every scope the call needs', async () => {
    const token = await accessToken(alice);
    const response = await mcpPost(
      stack.mcpUrl,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete_note', arguments: { id: 'x' } } },
      bearer(token),
    );
    assert.equal(response.status, 403);
    const challenge = parseChallenge(response.headers.get('www-authenticate')!)!;
    assert.equal(challenge['error'], 'insufficient_scope');
    assert.equal(challenge['scope'], 'notes:read notes:write');
  });

  it("binds an MCP session to its user: another user's token with that session id gets 404", async () => {
    const aliceToken = await accessToken(alice);
    const bobToken = await accessToken(bob);
    const opened = await mcpPost(stack.mcpUrl, INITIALIZE, bearer(aliceToken));
    assert.equal(opened.status, 200);
    await opened.text();
    const sessionId = opened.headers.get('mcp-session-id')!;
    assert.ok(sessionId);
    const listTools = { jsonrpc: '2.0', id: 3, method: 'tools/list' };

    const own = await mcpPost(stack.mcpUrl, listTools, { ...bearer(aliceToken), 'Mcp-Session-Id': sessionId });
    assert.equal(own.status, 200, 'the owner carries on');
    assert.ok(Array.isArray(((await firstMessage(own))['result'] as { tools: unknown[] }).tools));

    const hijack = await mcpPost(stack.mcpUrl, listTools, { ...bearer(bobToken), 'Mcp-Session-Id': sessionId });
    assert.equal(hijack.status, 404);
    const tampered = await mcpPost(stack.mcpUrl, listTools, {
      ...bearer(aliceToken),
      'Mcp-Session-Id': `${sessionId.slice(0, -1)}${sessionId.endsWith('A') ? 'B' : 'A'}`,
    });
    assert.equal(tampered.status, 404);
    const upstreamId = sessionId.slice(0, sessionId.lastIndexOf('.'));
    const bare = await mcpPost(stack.mcpUrl, listTools, { ...bearer(bobToken), 'Mcp-Session-Id': upstreamId });
    assert.equal(bare.status, 404, "the upstream's own session id is not accepted without the binding");
  });

  it('passes neither the token nor forged identity headers upstream', async () => {
    const token = await accessToken(alice);
    const opened = await mcpPost(stack.mcpUrl, INITIALIZE, bearer(token));
    await opened.text();
    const session = { ...bearer(token), 'Mcp-Session-Id': opened.headers.get('mcp-session-id')!, 'X-Portcullis-Subject': 'admin', Cookie: 'a=b' };
    const who = await mcpPost(stack.mcpUrl, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, session);
    const result = (await firstMessage(who))['result'] as { content: { text: string }[] };
    const seen = JSON.parse(result.content[0]!.text) as { subject: string; headerNames: string[] };
    assert.notEqual(seen.subject, 'admin');
    assert.equal(seen.subject, (await stack.store.users.findByUsername('alice'))!.id);
    assert.ok(!seen.headerNames.includes('authorization'));
    assert.ok(!seen.headerNames.includes('cookie'));
  });

  it('answers 502 with a JSON-RPC error when the upstream is down', async () => {
    const token = await accessToken(alice);
    await stack.notes.close();
    const response = await mcpPost(stack.mcpUrl, INITIALIZE, bearer(token));
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { error: { data: { reason: string } } }).error.data.reason, 'upstream_unavailable');
  });
});
