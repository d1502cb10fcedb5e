/**
 * Authorization (src/client/authorization.ts): what `start()` hands the app (never a `javascript:`
 * or `file:` URL) and the scope it asks for (MCP "Scope Selection Strategy": the challenge's
 * first, then the resource's `scopes_supported`, else none; `extraScope` on top; `offline_access`
 * only where the authorization server lists it), discovery done again so that a moved resource
 * sends the login to its new authorization server; and what `callback()` refuses: a wrong or
 * missing `iss`, a replayed, foreign or expired `state` (a token refresh does not extend a pending
 * login), a denial.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FormBrowser } from '../support/browser.js';
import { refusedWith } from '../support/client-auth-errors.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type HostileServer, startHostileServer } from '../support/hostile-metadata-server.js';
import { serveSoundTenant, tenantMetadata } from '../support/hostile-tenant.js';
import { approveInBrowser, type ClientStoreHandle, loginWithPages, newProvider, openClientStore } from '../support/mcp-client.js';
import { type AuthorizationServerName, logInAtFirstServer, serveMovingResource } from '../support/moving-authorization-server.js';
import { authorizationServerDocument, type ScriptedServer, startScriptedServer } from '../support/scripted-oauth-server.js';

const login = { username: 'eve-victim', password: 'victim password 123' };

describe('hostile metadata is refused before anything is sent to an authorization server', () => {
  let hostile: HostileServer;
  let client: ClientStoreHandle;
  const serverUrl = () => `${hostile.origin}/mcp`;
  const asMetadata = (overrides: Record<string, unknown> = {}) => tenantMetadata(hostile, overrides);

  before(async () => {
    hostile = await startHostileServer();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await hostile?.close();
  });
  beforeEach(() => serveSoundTenant(hostile));

  const provider = () => newProvider({ store: client.store.mcpClient, userId: 'victim', serverUrl: serverUrl() });

  it('refuses javascript: and file: authorization URLs before handing them to the app', async () => {
    for (const endpoint of ['javascript:alert(document.cookie)//', 'file:///etc/passwd', 'data:text/html,<script>alert(1)</script>']) {
      hostile.documents.set('/tenant/.well-known/openid-configuration', asMetadata({ authorization_endpoint: endpoint }));
      const { oauth, authorizationUrls } = provider();
      await assert.rejects(oauth.start(), refusedWith('unsafe_authorization_url'));
      // Also when the SDK hands one over.
      await assert.rejects(
        Promise.resolve().then(() => oauth.redirectToAuthorization(new URL(endpoint))),
        refusedWith('unsafe_authorization_url'),
      );
      assert.equal(authorizationUrls.length, 0, `${endpoint} never reached the app`);
    }
    assert.ok(!hostile.requested.includes('/register'));
  });
});

describe('callbacks: iss and state', () => {
  let stack: TestGateway;
  let client: ClientStoreHandle;

  before(async () => {
    stack = await startTestGateway();
    await stack.addUser(login.username, login.password);
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it('refuses a wrong or missing iss before redeeming the code, and burns the state', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'iss-user', serverUrl: stack.mcpUrl });
    for (const tamper of [
      (q: URLSearchParams) => q.set('iss', 'https://attacker.example.com'),
      (q: URLSearchParams) => q.set('iss', `${stack.issuer}/`),
      (q: URLSearchParams) => q.delete('iss'),
    ]) {
      const started = await oauth.start();
      const query = await approveInBrowser(started.url, stack.issuer, login);
      const honest = new URLSearchParams(query);
      tamper(query);
      await assert.rejects(oauth.callback(query), refusedWith('issuer_mismatch'));
      await assert.rejects(oauth.callback(honest), refusedWith('invalid_state'), 'the state is spent');
    }
    assert.equal(await oauth.accessToken(), undefined, 'no tokens were obtained');
  });

  it('refuses a replayed state, and a state of another user', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'replay-user', serverUrl: stack.mcpUrl });
    const started = await oauth.start();
    const query = await approveInBrowser(started.url, stack.issuer, login);
    await oauth.callback(query);
    await assert.rejects(oauth.callback(query), refusedWith('invalid_state'));
    await assert.rejects(oauth.callback({ code: 'x', state: 'never-issued', iss: stack.issuer }), refusedWith('invalid_state'));
    await assert.rejects(oauth.callback({ code: 'x', iss: stack.issuer }), refusedWith('invalid_state'));

    const other = newProvider({ store: client.store.mcpClient, userId: 'someone-else', serverUrl: stack.mcpUrl });
    const theirs = await other.oauth.start();
    await assert.rejects(oauth.callback(await approveInBrowser(theirs.url, stack.issuer, login)), refusedWith('invalid_state'));
  });

  it('refuses a state older than 10 minutes, even when a token refresh happened meanwhile', async () => {
    const clock = new TestClock();
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'slow-user', serverUrl: stack.mcpUrl, clock });
    await loginWithPages(oauth, stack.issuer, login);
    const started = await oauth.start({ scope: 'notes:write' });
    assert.equal(started.expiresAt - Math.floor(clock.now() / 1000), 600);
    const query = await approveInBrowser(started.url, stack.issuer, login);
    clock.advance(550); // the access token is within the skew: refreshed
    const before = (await client.store.mcpClient.findTokens('slow-user', stack.mcpUrl))!.version;
    await oauth.accessToken();
    assert.equal((await client.store.mcpClient.findTokens('slow-user', stack.mcpUrl))!.version, before + 1, 'refreshed');
    clock.advance(51);
    await assert.rejects(oauth.callback(query), refusedWith('invalid_state'));
  });

  it('reports a denial (after checking iss) and stores nothing', async () => {
    // Another redirect URI, so another registration whose consent was never given.
    const { oauth } = newProvider({
      store: client.store.mcpClient,
      userId: 'deny-user',
      serverUrl: stack.mcpUrl,
      redirectUrl: 'http://127.0.0.1:53998/denied',
    });
    const started = await oauth.start();
    const callback = await new FormBrowser(stack.issuer).authorize(started.url.href, login, 'deny');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    const forged = new URLSearchParams(callback.searchParams);
    await assert.rejects(oauth.callback(callback.searchParams), refusedWith('authorization_denied'));
    forged.set('iss', 'https://attacker.example.com');
    await assert.rejects(oauth.callback(forged), refusedWith('invalid_state'), 'a denial burns the state too');
    assert.equal(await oauth.accessToken(), undefined);
  });
});

describe('start() selects the scope as the spec says', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let user = 0;
  const mcpUrl = () => `${server.origin}/mcp`;
  const issuer = () => `${server.origin}/as`;
  const useMetadata = (prm: Record<string, unknown>, as: Record<string, unknown> = {}) => {
    server.serve('/.well-known/oauth-protected-resource/mcp', { resource: mcpUrl(), authorization_servers: [issuer()], ...prm });
    server.serve('/.well-known/oauth-authorization-server/as', authorizationServerDocument(issuer(), as));
  };
  const challenge = (header: string) => server.routes.set('/mcp', () => ({ status: 401, headers: { 'WWW-Authenticate': header } }));
  const scopeOfStart = async (options: { extraScope?: string } = {}, overrides: Partial<Parameters<typeof newProvider>[0]> = {}) => {
    user += 1;
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: `scope-user-${user}`, serverUrl: mcpUrl(), ...overrides });
    return (await oauth.start(options)).url.searchParams.get('scope');
  };

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });
  beforeEach(() => {
    server.routes.clear();
    server.requests.length = 0;
    server.serve('/as/register', { client_id: 'scope-client', token_endpoint_auth_method: 'none' });
  });

  it('uses the scope of the challenge, not every scope the resource supports', async () => {
    useMetadata({ scopes_supported: ['mcp', 'mcp:env'] });
    challenge(`Bearer scope="mcp", resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`);
    assert.equal(await scopeOfStart(), 'mcp');
    const registration = server.requests.find((r) => r.path === '/as/register')!;
    assert.equal((JSON.parse(registration.body) as { scope?: string }).scope, 'mcp', 'and registers for it');
  });

  it('falls back to scopes_supported without a challenge scope, and sends no scope when neither says', async () => {
    useMetadata({ scopes_supported: ['mcp', 'mcp:env'] });
    challenge('Bearer');
    assert.equal(await scopeOfStart(), 'mcp mcp:env');
    useMetadata({});
    assert.equal(await scopeOfStart(), null);
  });

  it('adds extraScope to the selected scope', async () => {
    useMetadata({ scopes_supported: ['mcp', 'mcp:env'] });
    challenge('Bearer scope="mcp"');
    assert.equal(await scopeOfStart({ extraScope: 'mcp:admin' }), 'mcp mcp:admin');
  });

  it('asks for offline_access only where the authorization server lists it', async () => {
    challenge('Bearer scope="mcp"');
    useMetadata({ scopes_supported: ['mcp'] }, { scopes_supported: ['mcp', 'offline_access'] });
    assert.equal(await scopeOfStart(), 'mcp offline_access', 'listed, and the client registers for refresh tokens');
    const noRefresh = {
      clientMetadata: { client_name: 'no refresh', redirect_uris: ['http://127.0.0.1:53999/oauth/callback'], grant_types: ['authorization_code'] },
    };
    assert.equal(await scopeOfStart({}, noRefresh), 'mcp', 'a client that does not want refresh tokens does not ask');
    useMetadata({ scopes_supported: ['mcp'] }, { scopes_supported: ['mcp', 'mcp:read'] });
    assert.equal(await scopeOfStart({ extraScope: 'offline_access' }), 'mcp', 'not listed: never asked for');
  });
});

describe('a change of authorization server is followed', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let current: AuthorizationServerName;
  let accepted: Set<string>;
  const issuer = (name: AuthorizationServerName) => `${server.origin}/${name}`;

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
    serveMovingResource(server, { current: () => current, accepted: () => accepted });
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });
  beforeEach(() => {
    current = 'as1';
    accepted = new Set();
    server.requests.length = 0;
  });

  const logInAtAs1 = (userId: string) => logInAtFirstServer(client, server, accepted, userId);

  it('start() discovers again: a login after the change goes to the new server', async () => {
    const { oauth } = await logInAtAs1('restarting-user');
    current = 'as2';
    const started = await oauth.start();
    assert.equal(started.url.origin + started.url.pathname, `${issuer('as2')}/authorize`);
    assert.equal(started.url.searchParams.get('client_id'), 'as2-client');
    assert.equal(started.url.searchParams.get('scope'), 'mcp:basic', 'nothing granted by AS1 is carried into the scope either');
  });
});
