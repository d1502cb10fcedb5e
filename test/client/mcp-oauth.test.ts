/**
 * The client library against the real Portcullis gateway over loopback HTTP: the MCP SDK's
 * Client with `createMcpOAuth` as its auth provider, the login through the real pages, tokens
 * kept sealed in a store of the client's own, reused after a restart, refreshed silently before
 * expiry and on a 401, `ReauthRequiredError` once the grant is revoked, step-up for a tool that
 * needs more scope, and removal revoking the tokens at the authorization server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { decodeJwt } from 'jose';
import { ClientAuthError, detectAuth, listStoredServers, ReauthRequiredError, removeServer, removeUser } from '../../src/client/index.js';
import { addStaticClient, discover, isActive, type ServerMetadata, type StaticClient } from '../support/authorization-flow.js';
import { refusedWith } from '../support/client-auth-errors.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  approveInBrowser,
  type ClientStoreHandle,
  clientKeyring,
  connectSdkClient,
  loginWithPages,
  newProvider,
  openClientStore,
  textOf,
} from '../support/mcp-client.js';
import { openTokensForTest } from '../support/mcp-client-secrets.js';
import { logInWithoutRefreshToken, serveLoginsWithoutRefreshToken } from '../support/no-refresh-token-server.js';
import { countRefreshRotations } from '../support/refresh-counter.js';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-oauth-server.js';

const login = { username: 'cleo', password: 'cleo password 123' };

/** Refresh grants that reached the authorization server's store. */
const refreshes = countRefreshRotations();

async function revokeAt(as: ServerMetadata, clientId: string, token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
  const response = await fetch(as.revocation_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: hint, client_id: clientId }).toString(),
  });
  assert.equal(response.status, 200);
}

describe('createMcpOAuth with the MCP SDK client through the gateway', () => {
  let stack: TestGateway;
  let as: ServerMetadata;
  let rs: StaticClient;
  let client: ClientStoreHandle;

  before(async () => {
    // No verified-token cache: a revoked access token is refused at once (the 401 path).
    stack = await startTestGateway({ gateway: { tokenCacheSeconds: 0 }, wrapStore: refreshes.wrap });
    await stack.addUser(login.username, login.password);
    as = await discover(stack.issuer);
    rs = await addStaticClient(stack.store);
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it('detects that the server needs OAuth and which authorization server it uses, without credentials', async () => {
    const detected = await detectAuth(stack.mcpUrl);
    assert.equal(detected.requiresOAuth, true);
    assert.equal(detected.status, 401);
    assert.equal(detected.resource, stack.mcpUrl);
    assert.deepEqual(detected.authorizationServers, [stack.issuer]);
    assert.equal(detected.issuer, stack.issuer);
    assert.equal(detected.challengeScope, 'notes:read');
    const plain = await detectAuth(`${stack.notes.url}`);
    assert.equal(plain.requiresOAuth, false, 'the upstream notes server itself has no OAuth');
  });

  it('connects a first time with a login through the real pages, then calls tools', async () => {
    const { oauth, authorizationUrls } = newProvider({ store: client.store.mcpClient, userId: 'app-user-1', serverUrl: stack.mcpUrl });
    await assert.rejects(connectSdkClient(oauth, stack.mcpUrl), UnauthorizedError);
    assert.equal(authorizationUrls.length, 1, 'the app was handed one authorization URL');
    const url = authorizationUrls[0]!;
    assert.equal(url.origin + url.pathname, as.authorization_endpoint);
    assert.equal(url.searchParams.get('resource'), stack.mcpUrl);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('scope'), 'notes:read', 'the scope of the 401 challenge');
    assert.ok((url.searchParams.get('state') ?? '').length >= 32);

    await oauth.callback(await approveInBrowser(url, stack.issuer, login));
    const { client: mcp } = await connectSdkClient(oauth, stack.mcpUrl);
    assert.equal(textOf(await mcp.callTool({ name: 'list_notes', arguments: {} })), '[]');
    await mcp.close();

    const [stored] = await listStoredServers(client.store.mcpClient, 'app-user-1');
    assert.equal(stored?.serverUrl, stack.mcpUrl);
    assert.equal(stored?.issuer, stack.issuer);
    assert.deepEqual(stored?.scope, ['notes:read']);
    assert.equal(stored?.hasRefreshToken, true);
    assert.ok(stored !== undefined && stored.accessExpiresAt !== null && stored.accessExpiresAt > Date.now() / 1000);
    assert.ok(!JSON.stringify(stored).includes('eyJ'), 'no token in the listing');
    const token = await oauth.accessToken();
    assert.equal(decodeJwt(token!).aud, stack.mcpUrl, 'the token is for this server (resource was sent)');
  });

  it('reuses the stored tokens after a restart, with no new login', async () => {
    const store = await client.reopen();
    const { oauth, authorizationUrls } = newProvider({ store: store.mcpClient, userId: 'app-user-1', serverUrl: stack.mcpUrl });
    const { client: mcp } = await connectSdkClient(oauth, stack.mcpUrl);
    assert.match(textOf(await mcp.callTool({ name: 'add_note', arguments: { title: 'after restart', body: 'kept' } })), /after restart/);
    await mcp.close();
    assert.equal(authorizationUrls.length, 0);
  });

  it('keeps tokens per user: another user of the app has none', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'app-user-2', serverUrl: stack.mcpUrl });
    assert.equal(await oauth.accessToken(), undefined);
    assert.deepEqual(await listStoredServers(client.store.mcpClient, 'app-user-2'), []);
  });

  it('refreshes silently before expiry, sending resource, and once on a 401', async () => {
    const clock = new TestClock();
    const { oauth, authorizationUrls } = newProvider({ store: client.store.mcpClient, userId: 'app-user-1', serverUrl: stack.mcpUrl, clock });
    const first = await oauth.accessToken();
    const servedBefore = refreshes.count();

    clock.advance(600); // the access token (600 s) is now within the refresh skew
    const { client: mcp } = await connectSdkClient(oauth, stack.mcpUrl);
    assert.match(textOf(await mcp.callTool({ name: 'list_notes', arguments: {} })), /after restart/);
    const second = await oauth.accessToken();
    assert.notEqual(second, first, 'a new access token');
    assert.equal(decodeJwt(second!).aud, stack.mcpUrl, 'the refresh asked for this resource');
    assert.equal(refreshes.count(), servedBefore + 1, 'one refresh grant at the authorization server');

    // The server refuses the token (revoked at the AS): one refresh, one retry, the call works.
    const [stored] = await listStoredServers(client.store.mcpClient, 'app-user-1');
    await revokeAt(as, stored!.clientId, second!, 'access_token');
    assert.match(textOf(await mcp.callTool({ name: 'list_notes', arguments: {} })), /after restart/);
    assert.notEqual(await oauth.accessToken(), second);
    assert.equal(refreshes.count(), servedBefore + 2);
    assert.equal(authorizationUrls.length, 0, 'no login was needed');
    await mcp.close();
  });

  it('asks for the union of scopes on 403 insufficient_scope (step-up), then calls the tool', async () => {
    const { oauth, authorizationUrls } = newProvider({ store: client.store.mcpClient, userId: 'app-user-1', serverUrl: stack.mcpUrl });
    const { client: mcp } = await connectSdkClient(oauth, stack.mcpUrl);
    const note = JSON.parse(textOf(await mcp.callTool({ name: 'add_note', arguments: { title: 'to delete', body: '' } }))) as { id: string };
    await assert.rejects(mcp.callTool({ name: 'delete_note', arguments: { id: note.id } }), UnauthorizedError);
    assert.equal(authorizationUrls.length, 1);
    const scope = authorizationUrls[0]!.searchParams.get('scope')!.split(' ').sort();
    assert.deepEqual(scope, ['notes:read', 'notes:write']);
    await mcp.close();

    await oauth.callback(await approveInBrowser(authorizationUrls[0]!, stack.issuer, login));
    const again = await connectSdkClient(oauth, stack.mcpUrl);
    const deleted = await again.client.callTool({ name: 'delete_note', arguments: { id: note.id } });
    assert.notEqual((deleted as { isError?: boolean }).isError, true);
    assert.deepEqual((await listStoredServers(client.store.mcpClient, 'app-user-1'))[0]?.scope.sort(), ['notes:read', 'notes:write']);
    await again.client.close();
  });

  it('clears the tokens and raises ReauthRequiredError when the refresh token was revoked', async () => {
    const user = 'app-user-3';
    const clock = new TestClock();
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: user, serverUrl: stack.mcpUrl, clock });
    await loginWithPages(oauth, stack.issuer, login);
    const row = await client.store.mcpClient.findTokens(user, stack.mcpUrl);
    const secrets = openTokensForTest(row!);
    await revokeAt(as, row!.clientId, secrets.refresh_token!, 'refresh_token');

    clock.advance(600);
    const error = await oauth.accessToken().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ReauthRequiredError, `expected ReauthRequiredError, got ${String(error)}`);
    assert.equal(error.code, 'reauth_required');
    assert.equal(error.serverUrl, stack.mcpUrl);
    assert.equal(await client.store.mcpClient.findTokens(user, stack.mcpUrl), undefined, 'tokens cleared');
    assert.equal(await oauth.accessToken(), undefined);
    await assert.rejects(oauth.refresh(), (e: unknown) => e instanceof ClientAuthError && e.code === 'not_logged_in');

    // Through the SDK transport too: the app gets the typed error, shown as "reconnect".
    await loginWithPages(oauth, stack.issuer, login);
    const { client: mcp } = await connectSdkClient(oauth, stack.mcpUrl);
    const again = openTokensForTest((await client.store.mcpClient.findTokens(user, stack.mcpUrl))!);
    await revokeAt(as, row!.clientId, again.refresh_token!, 'refresh_token');
    clock.advance(600);
    await assert.rejects(mcp.callTool({ name: 'list_notes', arguments: {} }), ReauthRequiredError);
    await mcp.close();
  });

  it('keeps using a still-valid token while the authorization server is unreachable, and keeps the grant', async () => {
    const user = 'app-user-6';
    const clock = new TestClock();
    let tokenEndpointDown = false;
    const flakyFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (tokenEndpointDown && url === as.token_endpoint) throw new TypeError('fetch failed (connection refused)');
      return fetch(input, init);
    };
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: user, serverUrl: stack.mcpUrl, clock, fetch: flakyFetch });
    await loginWithPages(oauth, stack.issuer, login);
    const first = await oauth.accessToken();
    tokenEndpointDown = true;
    clock.advance(570); // within the refresh skew, 30 s before expiry
    assert.equal(await oauth.accessToken(), first, 'the refresh failed; the unexpired token is used');
    clock.advance(60); // expired
    await assert.rejects(oauth.accessToken(), (e: unknown) => e instanceof ClientAuthError && e.code === 'authorization_server_error');
    assert.ok(await client.store.mcpClient.findTokens(user, stack.mcpUrl), 'an outage does not clear the grant');
    tokenEndpointDown = false;
    assert.notEqual(await oauth.accessToken(), first, 'refreshed once the server is back');
  });

  it('removes a server: revokes its tokens at the authorization server and deletes every row', async () => {
    const user = 'app-user-4';
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: user, serverUrl: stack.mcpUrl });
    await loginWithPages(oauth, stack.issuer, login);
    const secrets = openTokensForTest((await client.store.mcpClient.findTokens(user, stack.mcpUrl))!);
    assert.equal(await isActive(as, rs, secrets.access_token), true);
    await oauth.start(); // a pending login as well, to be deleted with the rest

    const result = await removeServer({ store: client.store.mcpClient, keyring: clientKeyring() }, user, stack.mcpUrl);
    assert.deepEqual(result.removed, [stack.mcpUrl]);
    assert.equal(result.revoked, 2, 'refresh and access token revoked');
    assert.equal(result.revokeFailures, 0);
    assert.equal(await isActive(as, rs, secrets.access_token), false);
    assert.equal(await isActive(as, rs, secrets.refresh_token!), false);
    assert.equal(await client.store.mcpClient.findTokens(user, stack.mcpUrl), undefined);
    assert.deepEqual(await client.store.mcpClient.removeUser(user), [], 'nothing left for the user');
  });

  it('removes a user: revokes with the pre-registered client id and deletes everything kept for them', async () => {
    const user = 'app-user-5';
    const clientId = `pre-${Date.now()}`;
    await stack.store.clients.create({
      clientId,
      secretHash: null,
      tokenEndpointAuthMethod: 'none',
      redirectUris: ['http://127.0.0.1:53999/oauth/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      clientName: 'Pre-registered app',
      scope: null,
      metadata: {},
      source: 'static',
      createdAt: Math.floor(Date.now() / 1000),
    });
    const preRegistered = [{ issuer: stack.issuer, clientId }];
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: user, serverUrl: stack.mcpUrl, preRegistered });
    await loginWithPages(oauth, stack.issuer, login);
    const row = (await client.store.mcpClient.findTokens(user, stack.mcpUrl))!;
    assert.equal(row.clientId, clientId, 'the pre-registered client is used before DCR');
    const secrets = openTokensForTest(row);

    const result = await removeUser({ store: client.store.mcpClient, keyring: clientKeyring(), preRegistered }, user);
    assert.deepEqual(result.removed, [stack.mcpUrl]);
    assert.equal(result.revoked, 2);
    assert.equal(await isActive(as, rs, secrets.access_token), false);
    assert.deepEqual(await listStoredServers(client.store.mcpClient, user), []);
  });
});

// What createMcpOAuth itself answers, against scripted servers: the client metadata it offers the
// MCP SDK, the SDK's finishAuth path it refuses, and a login without a refresh token.
describe('Dynamic Client Registration sends application_type', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  const mcpUrl = () => `${server.origin}/mcp`;

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });

  it('offers it to the MCP SDK as well (its clientMetadata)', () => {
    const { oauth } = newProvider({
      store: client.store.mcpClient,
      userId: 'sdk-typed',
      serverUrl: mcpUrl(),
      redirectUrl: 'https://app.example.com/cb',
      clientMetadata: { redirect_uris: ['https://app.example.com/cb'] },
    });
    assert.equal((oauth.clientMetadata as { application_type?: string }).application_type, 'web');
  });
});

describe('callbacks: iss and state', () => {
  let stack: TestGateway;
  let client: ClientStoreHandle;

  before(async () => {
    stack = await startTestGateway();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it('refuses to finish through the SDK finishAuth path, which cannot check state or iss', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'sdk-user', serverUrl: stack.mcpUrl });
    assert.throws(() => oauth.codeVerifier(), refusedWith('invalid_state'));
  });
});

describe('a login without a refresh token', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let lifetime = 30;
  const mcpUrl = () => `${server.origin}/mcp`;

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
    serveLoginsWithoutRefreshToken(server, () => lifetime);
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });

  const logIn = (userId: string, clock: TestClock) => logInWithoutRefreshToken(client, server, userId, clock);

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
});
