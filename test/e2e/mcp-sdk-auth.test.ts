import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { decodeJwt } from 'jose';
import { FormBrowser } from '../support/browser.js';
import { TestClock } from '../support/clock.js';
import { MemoryProvider } from '../support/mcp-sdk-provider.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The official MCP TypeScript SDK's client `auth()` against a real server over loopback:
 * protected-resource and authorization-server discovery, DCR, PKCE, login through the real pages,
 * code exchange with `resource`, and refresh with rotation.
 */
describe('MCP TypeScript SDK auth() against Portcullis', () => {
  let server: TestServer;
  const clock = new TestClock();
  const login = { username: 'erin', password: 'erin password 123' };

  before(async () => {
    server = await startTestServer({ clock });
    await server.addUser(login.username, login.password);
  });
  after(() => server.close());

  it('registers, authorizes through the pages, exchanges the code and refreshes with rotation', async () => {
    const provider = new MemoryProvider();
    const serverUrl = `${server.url}/mcp`;

    assert.equal(await auth(provider, { serverUrl }), 'REDIRECT');
    assert.ok(provider.client?.client_id, 'the SDK registered through DCR');
    const authorizationUrl = provider.authorizationUrl!;
    assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorizationUrl.searchParams.get('resource'), serverUrl);

    const callback = await new FormBrowser(server.url).authorize(authorizationUrl.href, login);
    assert.equal(callback.origin + callback.pathname, provider.redirectUrl);
    assert.equal(callback.searchParams.get('state'), 'sdk-state-123');
    assert.equal(callback.searchParams.get('iss'), server.url);
    const code = callback.searchParams.get('code')!;

    assert.equal(await auth(provider, { serverUrl, authorizationCode: code }), 'AUTHORIZED');
    const first = provider.saved!;
    assert.ok(first.access_token && first.refresh_token);
    const claims = decodeJwt(first.access_token);
    assert.equal(claims.aud, serverUrl, 'the token is bound to the MCP server');
    assert.equal(claims['client_id'], provider.client!.client_id);
    assert.equal(claims.iss, server.url);

    // The access token expires; auth() refreshes with the refresh token, which rotates.
    clock.advance(601);
    assert.equal(await auth(provider, { serverUrl }), 'AUTHORIZED');
    const second = provider.saved!;
    assert.notEqual(second.refresh_token, first.refresh_token, 'the refresh token rotated');
    assert.notEqual(second.access_token, first.access_token);
    assert.ok((decodeJwt(second.access_token).exp ?? 0) > Math.floor(clock.now() / 1000));

    // The spent refresh token is refused when replayed directly.
    const replay = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: provider.client!.client_id }),
    });
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_grant');
  });
});
