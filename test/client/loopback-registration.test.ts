/**
 * A native app's logins on loopback ports the OS picks (RFC 8252 §7.3), against the real
 * Portcullis server over HTTP: the first registers once by DCR, later ones on other ports reuse
 * that client and so the consent given to it, while /authorize and /token carry the exact port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FormBrowser } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';

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
