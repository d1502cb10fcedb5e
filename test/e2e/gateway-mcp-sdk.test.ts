import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { FormBrowser } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { MemoryProvider } from '../support/mcp-sdk-provider.js';

interface TextResult {
  content: { type: string; text: string }[];
  isError?: boolean;
}
const textOf = (result: unknown) => (result as TextResult).content.map((c) => c.text).join('');

/**
 * The official MCP TypeScript SDK `Client` over `StreamableHTTPClientTransport` with an auth
 * provider, against `portcullis demo`'s stack: gateway + authorization server in front of the
 * example notes server, everything over loopback HTTP.
 */
describe('MCP SDK Client through the gateway', () => {
  let stack: TestGateway;
  let userId: string;
  const login = { username: 'gwen', password: 'gwen password 123' };

  before(async () => {
    stack = await startTestGateway();
    userId = await stack.addUser(login.username, login.password);
  });
  after(() => stack.close());

  it('gets a 401, discovers, registers, logs in through the pages, calls tools, streams, and steps up for delete_note', async () => {
    const provider = new MemoryProvider({ redirectUrl: 'http://127.0.0.1:47612/callback', clientName: 'Gateway test client' });
    const browser = new FormBrowser(stack.issuer);

    // 1. No token: the SDK gets 401, reads resource_metadata and scope, registers and asks to redirect.
    const first = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider });
    await assert.rejects(new Client({ name: 'gw-test', version: '1.0.0' }).connect(first), UnauthorizedError);
    assert.ok(provider.client?.client_id, 'registered through DCR');
    const authorizationUrl = provider.authorizationUrl!;
    assert.equal(authorizationUrl.searchParams.get('resource'), stack.mcpUrl);
    assert.equal(authorizationUrl.searchParams.get('scope'), 'notes:read', 'the scope from the 401 challenge');

    // 2. The user logs in and approves on the real pages; the app finishes the exchange.
    const callback = await browser.authorize(authorizationUrl.href, login);
    await first.finishAuth(callback.searchParams.get('code')!);
    assert.equal(decodeJwt(provider.saved!.access_token).aud, stack.mcpUrl);

    // 3. Connected: tools listed and called through the gateway.
    const client = new Client({ name: 'gw-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider });
    await client.connect(transport);
    assert.ok(transport.sessionId, 'the upstream opened a session');
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(tools, ['add_note', 'count_slowly', 'delete_note', 'list_notes', 'whoami']);
    const note = JSON.parse(textOf(await client.callTool({ name: 'add_note', arguments: { title: 'hello', body: 'from the SDK' } }))) as { id: string };
    assert.match(textOf(await client.callTool({ name: 'list_notes', arguments: {} })), /from the SDK/);

    // The upstream learns who calls, in headers it can verify, and never sees the token.
    const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as Record<string, unknown>;
    assert.equal(who['subject'], userId);
    assert.equal(who['clientId'], provider.client!.client_id);
    assert.equal(who['scope'], 'notes:read');
    assert.ok(!(who['headerNames'] as string[]).includes('authorization'), 'no token passthrough');
    const jwks = createRemoteJWKSet(new URL(`${stack.issuer}/jwks.json`));
    const { payload } = await jwtVerify(who['identity'] as string, jwks, { issuer: stack.issuer, audience: stack.notes.url, typ: 'portcullis-identity+jwt' });
    assert.equal(payload.sub, userId);

    // 4. A streamed (SSE) result arrives intact, with every progress notification before it.
    const progress: number[] = [];
    const counted = await client.callTool({ name: 'count_slowly', arguments: { n: 5, delayMs: 10 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.equal(textOf(counted), 'counted to 5');
    assert.deepEqual(progress, [1, 2, 3, 4, 5]);

    // 5. delete_note needs notes:write: 403 insufficient_scope naming every scope the call needs.
    const raw = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${provider.saved!.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': transport.sessionId!,
        'MCP-Protocol-Version': transport.protocolVersion ?? '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'delete_note', arguments: { id: note.id } } }),
    });
    assert.equal(raw.status, 403);
    const challenge = raw.headers.get('www-authenticate')!;
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="notes:read notes:write"/);
    assert.match(challenge, /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/);

    // The SDK 1.x transport answers a 403 by refreshing (which may only narrow the scope, RFC 6749
    // §6) and gives up when the same challenge comes back; an app then sends the user to authorize
    // the wider scope, as here.
    const refused = await client.callTool({ name: 'delete_note', arguments: { id: note.id } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof StreamableHTTPError && refused.code === 403, `step-up refused first: ${String(refused)}`);
    provider.invalidateCredentials('tokens');
    provider.authorizationUrl = undefined;
    assert.equal(await auth(provider, { serverUrl: stack.mcpUrl, scope: 'notes:read notes:write' }), 'REDIRECT');
    assert.equal(provider.authorizationUrl!.searchParams.get('scope'), 'notes:read notes:write');
    const stepUp = await browser.authorize(provider.authorizationUrl!.href, login);
    assert.ok(stepUp.searchParams.get('code'), `step-up authorized: ${stepUp.search}`);
    assert.equal(await auth(provider, { serverUrl: stack.mcpUrl, authorizationCode: stepUp.searchParams.get('code')! }), 'AUTHORIZED');
    assert.equal(decodeJwt(provider.saved!.access_token)['scope'], 'notes:read notes:write');

    // Same user and client: the session carries on with the new token.
    const deleted = await client.callTool({ name: 'delete_note', arguments: { id: note.id } });
    assert.equal(textOf(deleted), `deleted ${note.id}`);

    // DELETE ends the session at the upstream, through the gateway; the old id is then unknown.
    const ended = transport.sessionId!;
    await transport.terminateSession();
    const after = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${provider.saved!.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': ended,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 100, method: 'tools/list' }),
    });
    assert.equal(after.status, 404, 'the upstream forgot the session');
    await client.close();
  });
});
