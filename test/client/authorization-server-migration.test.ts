/**
 * MCP Authorization (2026-07-28) "Authorization Server Binding": when the protected-resource
 * metadata names another authorization server, the client registers there and never takes the
 * old server's credentials (client id, secret, refresh token) to it. Both ways the client learns
 * of the change are covered: a 401 to a token the old server issued (through `oauth.fetch`), and
 * a new `start()`.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';
import {
  approvedCallback,
  authorizationServerDocument,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
} from '../support/scripted-oauth-server.js';

const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

/** Everything a request carried, with an HTTP Basic credential decoded. */
function carried(request: RecordedRequest): string {
  const authorization = String(request.headers['authorization'] ?? '');
  const basic = authorization.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString('utf8') : '';
  return `${request.path}?${request.query} ${authorization} ${basic} ${request.body}`;
}

describe('a change of authorization server is followed', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let current: 'as1' | 'as2';
  let accepted: Set<string>;
  const mcpUrl = () => `${server.origin}/mcp`;
  const issuer = (name: 'as1' | 'as2') => `${server.origin}/${name}`;
  const atAs2 = () => server.requests.filter((r) => r.path.startsWith('/as2') || r.path.endsWith('/as2'));

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
    const metadataUrl = () => `${server.origin}/.well-known/oauth-protected-resource/mcp`;
    server.routes.set('/.well-known/oauth-protected-resource/mcp', () => ({ json: { resource: mcpUrl(), authorization_servers: [issuer(current)] } }));
    server.routes.set('/mcp', (request) => {
      const token = String(request.headers['authorization'] ?? '').replace(/^Bearer /, '');
      if (accepted.has(token)) return { json: { jsonrpc: '2.0', id: 1, result: {} } };
      return {
        status: 401,
        headers: { 'WWW-Authenticate': `Bearer scope="mcp:basic", resource_metadata="${metadataUrl()}"` },
        json: { error: 'invalid_token' },
      };
    });
    for (const name of ['as1', 'as2'] as const) {
      server.serve(`/.well-known/oauth-authorization-server/${name}`, authorizationServerDocument(issuer(name)));
      server.serve(`/${name}/register`, { client_id: `${name}-client`, client_secret: `${name}-secret`, token_endpoint_auth_method: 'client_secret_basic' });
      let issued = 0;
      server.routes.set(`/${name}/token`, () => {
        issued += 1;
        return {
          json: {
            access_token: `${name}-token-${issued}`,
            token_type: 'Bearer',
            expires_in: 3600,
            refresh_token: `${name}-refresh-${issued}`,
            scope: `mcp:basic ${name}:only`,
          },
        };
      });
    }
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

  async function logInAtAs1(userId: string) {
    const provider = newProvider({ store: client.store.mcpClient, userId, serverUrl: mcpUrl() });
    const started = await provider.oauth.start();
    assert.equal(started.url.origin + started.url.pathname, `${issuer('as1')}/authorize`);
    await provider.oauth.callback(approvedCallback(started.url, issuer('as1')));
    const token = (await provider.oauth.accessToken())!;
    accepted.add(token);
    return { ...provider, token };
  }

  it("on a 401 to the old server's token: discovers again, drops the old grant, and the next login registers at the new server", async () => {
    const { oauth, token } = await logInAtAs1('migrating-user');
    const call = () => oauth.fetch(mcpUrl(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: PING });
    assert.equal((await call()).status, 200);

    // The resource moves to AS2 and stops accepting AS1's tokens.
    current = 'as2';
    accepted = new Set();
    const refused = await call();
    assert.equal(refused.status, 401, 'the caller sees the 401 and logs in again');
    assert.equal(
      server.requests.filter((r) => r.path === '/as1/token' && r.form.get('grant_type') === 'refresh_token').length,
      0,
      'no refresh at the old server',
    );
    assert.equal(await oauth.accessToken(), undefined, "the old server's tokens are forgotten");

    const started = await oauth.start();
    assert.equal(started.url.origin + started.url.pathname, `${issuer('as2')}/authorize`, 'the login goes to the new server');
    assert.equal(started.url.searchParams.get('client_id'), 'as2-client');
    assert.equal(server.requests.filter((r) => r.path === '/as2/register').length, 1, 'registered at the new server');
    await oauth.callback(approvedCallback(started.url, issuer('as2')));
    const newToken = (await oauth.accessToken())!;
    assert.match(newToken, /^as2-token-/);
    accepted.add(newToken);
    assert.equal((await call()).status, 200);

    for (const request of atAs2()) {
      for (const old of ['as1-client', 'as1-secret', 'as1-refresh', token]) assert.ok(!carried(request).includes(old), `${request.path} carried ${old}`);
    }
  });

  it('start() discovers again: a login after the change goes to the new server', async () => {
    const { oauth } = await logInAtAs1('restarting-user');
    current = 'as2';
    const started = await oauth.start();
    assert.equal(started.url.origin + started.url.pathname, `${issuer('as2')}/authorize`);
    assert.equal(started.url.searchParams.get('client_id'), 'as2-client');
    assert.equal(started.url.searchParams.get('scope'), 'mcp:basic', 'nothing granted by AS1 is carried into the scope either');
  });
});
