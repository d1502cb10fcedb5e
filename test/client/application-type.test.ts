/**
 * MCP Authorization (2026-07-28) "Client Registration": a client MUST send an appropriate
 * `application_type` at Dynamic Client Registration. Unless the app sets one, it follows from the
 * redirect URI: a loopback address or a private-use scheme is a native app, https a web app.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { applicationTypeForRedirectUri } from '../../src/core/application-type.js';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';
import { type ScriptedServer, serveMcpServerAndAuthorizationServer, startScriptedServer } from '../support/scripted-oauth-server.js';

describe('applicationTypeForRedirectUri', () => {
  it('native for loopback and private-use schemes, web for https elsewhere', () => {
    assert.equal(applicationTypeForRedirectUri('http://127.0.0.1:53121/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('http://[::1]/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('http://localhost:3000/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('com.example.app:/oauth'), 'native');
    assert.equal(applicationTypeForRedirectUri('https://localhost/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('https://app.example.com/oauth/callback'), 'web');
  });
});

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
