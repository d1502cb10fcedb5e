/**
 * Registration (src/client/registration.ts): pre-registered credentials first, then a Client ID
 * Metadata Document, then Dynamic Client Registration, each kept per issuer; DCR sends
 * `application_type` (MCP Authorization (2026-07-28) "Client Registration"); and a native app's
 * logins on loopback ports the OS picks (RFC 8252 §7.3), against the real Portcullis server over
 * HTTP: the first registers once by DCR, later ones on other ports reuse that client and so the
 * consent given to it, while /authorize and /token carry the exact port.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { registrationRedirectKey } from '../../src/client/registration-redirect.js';
import { FormBrowser } from '../support/browser.js';
import { refusedWith } from '../support/client-auth-errors.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type HostileServer, startHostileServer } from '../support/hostile-metadata-server.js';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';
import { type ScriptedServer, serveMcpServerAndAuthorizationServer, startScriptedServer } from '../support/scripted-oauth-server.js';

const login = { username: 'lena', password: 'lena password 12345' };

/** The browser part of a login, noting which pages the person was shown. */
async function authorizeNotingPages(browser: FormBrowser, url: URL): Promise<{ back: URL; pages: string[] }> {
  const pages: string[] = [];
  let step = await browser.navigate(url.href);
  for (let i = 0; i < 3 && step.leftTo === undefined; i++) {
    const html = await step.response.text();
    if (/name="password"/.test(html)) {
      pages.push('login');
      step = await browser.submitForm({ html, url: step.url }, login);
    } else if (/name="decision"/.test(html)) {
      pages.push('consent');
      step = await browser.submitForm({ html, url: step.url }, { decision: 'approve' });
    } else {
      throw new Error(`unexpected page ${step.response.status} at ${step.url}`);
    }
  }
  assert.ok(step.leftTo !== undefined, 'the browser was sent back to the client');
  return { back: new URL(step.leftTo), pages };
}

describe('Dynamic Client Registration sends application_type', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let user = 0;
  const mcpUrl = () => `${server.origin}/mcp`;

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
    serveMcpServerAndAuthorizationServer(server, '/as', 'typed-client');
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  async function registeredType(redirectUrl: string, applicationType?: 'native' | 'web'): Promise<unknown> {
    user += 1;
    const { oauth } = newProvider({
      store: client.store.mcpClient,
      userId: `typed-${user}`,
      serverUrl: mcpUrl(),
      redirectUrl,
      clientMetadata: { client_name: 'typed', redirect_uris: [redirectUrl], ...(applicationType !== undefined ? { application_type: applicationType } : {}) },
    });
    await oauth.start();
    const registration = server.requests.filter((r) => r.path === '/as/register').at(-1);
    assert.ok(registration, 'registered by DCR');
    return (JSON.parse(registration.body) as { application_type?: unknown }).application_type;
  }

  it('derives native from a loopback redirect and web from an https one', async () => {
    assert.equal(await registeredType('http://127.0.0.1:53210/callback'), 'native');
    assert.equal(await registeredType('https://app.example.com/oauth/callback'), 'web');
  });

  it("sends the app's own value when it sets one", async () => {
    assert.equal(await registeredType('https://desktop.example.com/callback', 'native'), 'native');
  });
});

describe('registration order and keying', () => {
  let hostile: HostileServer;
  let client: ClientStoreHandle;
  const serverUrl = () => `${hostile.origin}/mcp`;
  const asMetadata = (issuer: string, overrides: Record<string, unknown> = {}) => ({
    issuer,
    authorization_endpoint: `${hostile.origin}/authorize`,
    token_endpoint: `${hostile.origin}/token`,
    registration_endpoint: `${hostile.origin}/register`,
    code_challenge_methods_supported: ['S256'],
    ...overrides,
  });
  const useIssuer = (path: string, overrides: Record<string, unknown> = {}) => {
    const issuer = `${hostile.origin}${path}`;
    hostile.documents.set('/.well-known/oauth-protected-resource/mcp', { resource: serverUrl(), authorization_servers: [issuer] });
    hostile.documents.set(`/.well-known/oauth-authorization-server${path}`, asMetadata(issuer, overrides));
    return issuer;
  };

  before(async () => {
    hostile = await startHostileServer();
    client = await openClientStore();
    hostile.documents.set('/register', { client_id: 'dcr-client', token_endpoint_auth_method: 'none' });
  });
  after(async () => {
    await client?.close();
    await hostile?.close();
  });

  it('uses pre-registered credentials first, then a Client ID Metadata Document, then DCR, each per issuer', async () => {
    const metadataUrl = 'https://app.example.com/oauth/client.json';
    const registrations = () => hostile.requested.filter((p) => p === '/register').length;

    const pre = useIssuer('/pre', { client_id_metadata_document_supported: true });
    const first = newProvider({
      store: client.store.mcpClient,
      userId: 'u',
      serverUrl: serverUrl(),
      clientMetadataUrl: metadataUrl,
      preRegistered: [{ issuer: pre, clientId: 'configured' }],
    });
    assert.equal((await first.oauth.start()).url.searchParams.get('client_id'), 'configured');
    assert.equal(registrations(), 0);

    useIssuer('/cimd', { client_id_metadata_document_supported: true });
    const second = newProvider({
      store: client.store.mcpClient,
      userId: 'u',
      serverUrl: serverUrl(),
      clientMetadataUrl: metadataUrl,
      preRegistered: [{ issuer: pre, clientId: 'configured' }],
    });
    assert.equal((await second.oauth.start()).url.searchParams.get('client_id'), metadataUrl, 'the pre-registered client is not offered to another issuer');
    assert.equal(registrations(), 0);

    const dcr = useIssuer('/dcr');
    const third = newProvider({ store: client.store.mcpClient, userId: 'u', serverUrl: serverUrl(), clientMetadataUrl: metadataUrl });
    assert.equal((await third.oauth.start()).url.searchParams.get('client_id'), 'dcr-client', 'no metadata-document support: DCR');
    assert.equal(registrations(), 1);
    assert.equal((await third.oauth.start()).url.searchParams.get('client_id'), 'dcr-client');
    assert.equal(registrations(), 1, 'the registration is stored and reused for the issuer');
    // Kept under the loopback redirect without its port (RFC 8252 §7.3).
    assert.equal((await client.store.mcpClient.findRegistration(dcr, registrationRedirectKey(third.oauth.redirectUrl as string)))?.method, 'dcr');

    useIssuer('/other');
    const fourth = newProvider({ store: client.store.mcpClient, userId: 'u', serverUrl: serverUrl() });
    await fourth.oauth.start();
    assert.equal(registrations(), 2, 'another issuer gets its own registration');
  });

  it('refuses when there is no way to register', async () => {
    useIssuer('/closed', { registration_endpoint: undefined });
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'u', serverUrl: serverUrl() });
    await assert.rejects(oauth.start(), refusedWith('registration_unavailable'));
  });
});

describe('logins on different loopback ports share one registration', () => {
  let stack: TestGateway;
  let client: ClientStoreHandle;
  const dynamicClients = async () => (await stack.store.clients.list()).filter((c) => c.source === 'dynamic');

  before(async () => {
    stack = await startTestGateway();
    await stack.addUser(login.username, login.password);
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it('registers once, sends the exact port, and does not ask for consent again', async () => {
    const browser = new FormBrowser(stack.issuer);
    const clientIds: string[] = [];
    for (const [i, port] of [50111, 50222].entries()) {
      const redirectUrl = `http://127.0.0.1:${port}/callback`;
      const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'native-user', serverUrl: stack.mcpUrl, redirectUrl });
      const started = await oauth.start();
      assert.equal(started.url.searchParams.get('redirect_uri'), redirectUrl, '/authorize carries the port listened on');
      clientIds.push(started.url.searchParams.get('client_id')!);
      const { back, pages } = await authorizeNotingPages(browser, started.url);
      assert.equal(`${back.origin}${back.pathname}`, redirectUrl);
      assert.deepEqual(
        pages,
        i === 0 ? ['login', 'consent'] : [],
        i === 0 ? 'the first login asks' : 'the second login goes straight back: the consent is remembered for the one client',
      );
      // The code exchange sends the same redirect_uri, port included; the server checks it.
      await oauth.callback(back.searchParams);
      assert.ok(await oauth.accessToken());
    }
    assert.equal(clientIds[0], clientIds[1], 'one client_id for both logins');

    const registered = await dynamicClients();
    assert.equal(registered.length, 1, 'one DCR registration at the authorization server');
    assert.deepEqual(registered[0]!.redirectUris, ['http://127.0.0.1:50111/callback', 'http://127.0.0.1/callback']);
    const stored = await client.store.mcpClient.listRegistrations(stack.issuer);
    assert.deepEqual(
      stored.map((r) => [r.redirectUri, r.clientId]),
      [['http://127.0.0.1/callback', clientIds[0]]],
      'kept once, under the redirect URI without its port',
    );
  });

  it('portcullis connect’s provider (http://127.0.0.1/callback) finds the same registration', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'native-user', serverUrl: stack.mcpUrl, redirectUrl: 'http://127.0.0.1/callback' });
    const info = await oauth.clientInformation();
    const [stored] = await client.store.mcpClient.listRegistrations(stack.issuer);
    assert.equal(info?.client_id, stored?.clientId);
    assert.equal((await dynamicClients()).length, 1, 'no new registration');
  });

  it('a confidential client’s sealed secret opens on a later port, and a new path is a new registration', async () => {
    const before = (await dynamicClients()).length;
    const browser = new FormBrowser(stack.issuer);
    for (const port of [50333, 50444]) {
      const redirectUrl = `http://127.0.0.1:${port}/confidential`;
      const { oauth } = newProvider({
        store: client.store.mcpClient,
        userId: 'confidential-user',
        serverUrl: stack.mcpUrl,
        redirectUrl,
        clientMetadata: {
          client_name: 'confidential loopback app',
          redirect_uris: [redirectUrl],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      });
      const started = await oauth.start();
      const { back } = await authorizeNotingPages(browser, started.url);
      // Redeeming the code needs the client secret, opened with the port-free key it was sealed under.
      await oauth.callback(back.searchParams);
      assert.ok(await oauth.accessToken(), `logged in on port ${port}`);
    }
    assert.equal((await dynamicClients()).length, before + 1);
    const confidential = (await client.store.mcpClient.listRegistrations(stack.issuer)).find((r) => r.redirectUri === 'http://127.0.0.1/confidential');
    assert.ok(confidential?.clientSecretSealed, 'the secret is kept sealed under the port-free key');
  });
});
