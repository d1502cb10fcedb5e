import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { parseChallenge } from '../../src/core/www-authenticate.js';
import { demoGatewaySettings } from '../../src/example/demo-settings.js';
import { assertTokens, discover, obtainCode, redeemCode, registerPublicClient } from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { MemoryProvider } from '../support/mcp-sdk-provider.js';

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content.map((c) => c.text).join('');
const login = { username: 'stella', password: 'stella password 123' };

/**
 * What the MCP SDK 1.x client (the transport inside Claude Code, Cursor, the MCP Inspector and
 * mcp-remote) does, unchanged, against the demo's stack: it signs in with the scope of the first
 * 401 challenge, and answers a later `403 insufficient_scope` by refreshing its token with the
 * same scopes (typescript-sdk issue #2255), so it can only call `delete_note` if it was granted
 * `notes:write` at the start. `challengeAllScopes` makes the first challenge name it.
 */
describe('MCP SDK client calling delete_note through the gateway', () => {
  const stacks: TestGateway[] = [];
  after(async () => {
    for (const stack of stacks) await stack.close();
  });

  async function start(challengeAllScopes: boolean): Promise<TestGateway> {
    const stack = await startTestGateway({ gateway: { challengeAllScopes } });
    stacks.push(stack);
    await stack.addUser(login.username, login.password);
    return stack;
  }

  /** The SDK's own flow: connect, 401, auth() redirects, the user signs in on the real pages, finishAuth, connect again. */
  async function connectAsSdkApp(stack: TestGateway): Promise<{ client: Client; provider: MemoryProvider; authorizedScope: string | null }> {
    const provider = new MemoryProvider({ redirectUrl: 'http://127.0.0.1:47613/callback', clientName: 'SDK app' });
    const first = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider });
    await assert.rejects(new Client({ name: 'sdk-app', version: '1.0.0' }).connect(first), UnauthorizedError);
    const authorizedScope = provider.authorizationUrl!.searchParams.get('scope');
    const callback = await new FormBrowser(stack.issuer).authorize(provider.authorizationUrl!.href, login);
    await first.finishAuth(callback.searchParams.get('code')!);
    const client = new Client({ name: 'sdk-app', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider }));
    return { client, provider, authorizedScope };
  }

  it('is the demo’s setting', () => {
    assert.equal(demoGatewaySettings('http://127.0.0.1:3000/mcp').challengeAllScopes, true);
  });

  it('with challengeAllScopes: one sign-in asks for every scope, and delete_note succeeds', async () => {
    const stack = await start(true);
    const { client, provider, authorizedScope } = await connectAsSdkApp(stack);
    assert.equal(authorizedScope, 'notes:read notes:write', 'the scope of the first 401 challenge');
    assert.equal(decodeJwt(provider.saved!.access_token)['scope'], 'notes:read notes:write');
    const note = JSON.parse(textOf(await client.callTool({ name: 'add_note', arguments: { title: 'tmp', body: 'to delete' } }))) as { id: string };
    const deleted = await client.callTool({ name: 'delete_note', arguments: { id: note.id } });
    assert.notEqual(deleted.isError, true);
    assert.equal(textOf(deleted), `deleted ${note.id}`);
    await client.close();
  });

  it('with challengeAllScopes: a token without notes:write still gets 403 insufficient_scope naming the scopes the call needs', async () => {
    const stack = await start(true);
    const as = await discover(stack.issuer);
    const clientId = await registerPublicClient(as);
    const code = await obtainCode(as, clientId, login, { resource: stack.mcpUrl, scope: 'notes:read' });
    const { access_token: token } = assertTokens(await redeemCode(as, { clientId, code: code.code, verifier: code.verifier, resource: stack.mcpUrl }));
    const response = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_note', arguments: { id: 'x' } } }),
    });
    assert.equal(response.status, 403);
    const challenge = parseChallenge(response.headers.get('www-authenticate')!)!;
    assert.equal(challenge['error'], 'insufficient_scope');
    assert.equal(challenge['scope'], 'notes:read notes:write');
    // An invalid token is challenged like a missing one: with every scope.
    const invalid = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { Authorization: 'Bearer not-a-token', 'Content-Type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    assert.equal(invalid.status, 401);
    assert.equal(parseChallenge(invalid.headers.get('www-authenticate')!)!['scope'], 'notes:read notes:write');
  });

  it('without it: the SDK refreshes on 403, the refresh does not widen the scope, and it gives up', async () => {
    const stack = await start(false);
    const { client, provider, authorizedScope } = await connectAsSdkApp(stack);
    assert.equal(authorizedScope, 'notes:read');
    const before = provider.saved!.access_token;
    const refused = await client.callTool({ name: 'delete_note', arguments: { id: 'any' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof StreamableHTTPError, String(refused));
    assert.equal(refused.code, 403);
    assert.match(refused.message, /after trying upscoping/);
    assert.notEqual(provider.saved!.access_token, before, 'the SDK refreshed');
    assert.equal(decodeJwt(provider.saved!.access_token)['scope'], 'notes:read', 'a refresh never widens the scope');
    await client.close();
  });
});
