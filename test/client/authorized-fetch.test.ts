/**
 * `oauth.fetch` (src/client/authorized-fetch.ts) when the resource moves to another authorization
 * server (MCP Authorization (2026-07-28) "Authorization Server Binding"): a 401 to a token the old
 * server issued makes it discover again and drop the old grant, and the next login registers at
 * the new server; the old server's credentials (client id, secret, refresh token) never go there.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ClientStoreHandle, openClientStore } from '../support/mcp-client.js';
import { type AuthorizationServerName, carried, logInAtFirstServer, PING, serveMovingResource } from '../support/moving-authorization-server.js';
import { approvedCallback, type ScriptedServer, startScriptedServer } from '../support/scripted-oauth-server.js';

describe('a change of authorization server is followed', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let current: AuthorizationServerName;
  let accepted: Set<string>;
  const mcpUrl = () => `${server.origin}/mcp`;
  const issuer = (name: AuthorizationServerName) => `${server.origin}/${name}`;
  const atAs2 = () => server.requests.filter((r) => r.path.startsWith('/as2') || r.path.endsWith('/as2'));

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
});
