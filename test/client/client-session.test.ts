/**
 * The refresh margin of a session (src/client/client-session.ts): 60 s by default, capped at half
 * the access token's lifetime, so calls within one short-lived token's life refresh at most once
 * rather than before every request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type ClientStoreHandle, connectSdkClient, loginWithPages, newProvider, openClientStore, textOf } from '../support/mcp-client.js';
import { countRefreshRotations } from '../support/refresh-counter.js';

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
