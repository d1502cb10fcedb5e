/**
 * Logins whose access tokens live a short time: the refresh margin (60 s by default) is capped at
 * half the token's lifetime, so calls within one token's life refresh at most once rather than
 * before every request; and a login without a refresh token is used until its access token
 * expires or is refused, never deleted early.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ReauthRequiredError } from '../../src/client/index.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type ClientStoreHandle, connectSdkClient, loginWithPages, newProvider, openClientStore, textOf } from '../support/mcp-client.js';
import { countRefreshRotations } from '../support/refresh-counter.js';
import { approvedCallback, type ScriptedServer, serveMcpServerAndAuthorizationServer, startScriptedServer } from '../support/scripted-oauth-server.js';

const login = { username: 'quick', password: 'quick password 1234' };

describe('access tokens that live 30 seconds, from the real gateway', () => {
  const refreshes = countRefreshRotations();
  let stack: TestGateway;
  let client: ClientStoreHandle;

  before(async () => {
    stack = await startTestGateway({ settings: { accessTokenTtlSeconds: 30 }, wrapStore: refreshes.wrap });
    await stack.addUser(login.username, login.password);
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it("a connect and five calls within one token's life refresh at most once; past half its life, once", async () => {
    const clock = new TestClock();
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'quick-user', serverUrl: stack.mcpUrl, clock });
    await loginWithPages(oauth, stack.issuer, login);
    const before = refreshes.count();
    const { client: mcp } = await connectSdkClient(oauth, stack.mcpUrl);
    for (let i = 0; i < 5; i++) assert.equal(textOf(await mcp.callTool({ name: 'list_notes', arguments: {} })), '[]');
    assert.ok(refreshes.count() - before <= 1, `${refreshes.count() - before} refresh grants for calls within one token's life`);
    assert.equal(refreshes.count(), before, 'none while the token is young');

    clock.advance(16); // past half of the 30 s lifetime: refreshed once, then the new token is used
    for (let i = 0; i < 5; i++) await mcp.callTool({ name: 'list_notes', arguments: {} });
    assert.equal(refreshes.count(), before + 1);
    await mcp.close();
  });
});

describe('a login without a refresh token', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let lifetime = 30;
  let issued = 0;
  const mcpUrl = () => `${server.origin}/mcp`;
  const issuer = () => `${server.origin}/as`;

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
    serveMcpServerAndAuthorizationServer(server, '/as', 'no-refresh-client');
    server.routes.set('/as/token', () => ({ json: { access_token: `short-token-${++issued}`, token_type: 'Bearer', expires_in: lifetime } }));
    server.routes.set('/mcp', () => ({ status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }));
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });

  async function logIn(userId: string, clock: TestClock) {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId, serverUrl: mcpUrl(), clock });
    const started = await oauth.start();
    await oauth.callback(approvedCallback(started.url, issuer()));
    return oauth;
  }

  it('is usable right after logging in, even when its token lives 60 s or less', async () => {
    lifetime = 30;
    const clock = new TestClock();
    const oauth = await logIn('no-refresh-1', clock);
    assert.match((await oauth.accessToken()) ?? '', /^short-token-/);
    clock.advance(25);
    assert.match((await oauth.accessToken()) ?? '', /^short-token-/, 'until it expires');
  });

  it('is used until its token expires, then ends with ReauthRequiredError', async () => {
    lifetime = 120;
    const clock = new TestClock();
    const oauth = await logIn('no-refresh-2', clock);
    clock.advance(90); // within 60 s of expiry: nothing to refresh with, and nothing deleted
    assert.match((await oauth.accessToken()) ?? '', /^short-token-/);
    assert.ok(await client.store.mcpClient.findTokens('no-refresh-2', mcpUrl()));
    clock.advance(31);
    await assert.rejects(oauth.accessToken(), ReauthRequiredError);
    assert.equal(await client.store.mcpClient.findTokens('no-refresh-2', mcpUrl()), undefined, 'the ended login is deleted');
  });

  it('ends when the server refuses its token', async () => {
    lifetime = 3600;
    const oauth = await logIn('no-refresh-3', new TestClock());
    await assert.rejects(oauth.fetch(mcpUrl(), { method: 'POST', body: '{}' }), ReauthRequiredError);
    assert.equal(await client.store.mcpClient.findTokens('no-refresh-3', mcpUrl()), undefined);
  });
});
