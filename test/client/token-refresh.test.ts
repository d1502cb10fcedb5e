/**
 * Refreshing (src/client/token-refresh.ts). One refresh across processes: two processes of a
 * client app share one store (a SQLite file, or PostgreSQL) and each makes 10 concurrent tool
 * calls through the gateway with an access token about to expire. Exactly one refresh grant
 * reaches the authorization server; every call succeeds with the tokens that one refresh stored.
 * And a login without a refresh token that the server refuses has ended: nothing to refresh with.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ReauthRequiredError } from '../../src/client/index.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type ClientStoreHandle, loginWithPages, newProvider, openClientStore } from '../support/mcp-client.js';
import { startClientRacer } from '../support/mcp-client-racer.js';
import { logInWithoutRefreshToken, serveLoginsWithoutRefreshToken } from '../support/no-refresh-token-server.js';
import { countRefreshRotations } from '../support/refresh-counter.js';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-oauth-server.js';
import { postgresSkipReason } from '../support/stores.js';

const login = { username: 'dora', password: 'dora password 123' };

for (const dialect of ['sqlite', 'postgres'] as const) {
  const skip = dialect === 'postgres' ? await postgresSkipReason() : false;

  describe(`one refresh for 20 concurrent calls from two processes (client store on ${dialect})`, { skip }, () => {
    const refreshes = countRefreshRotations();
    let stack: TestGateway;
    let client: ClientStoreHandle;

    before(async () => {
      stack = await startTestGateway({ wrapStore: refreshes.wrap });
      await stack.addUser(login.username, login.password);
      client = await openClientStore(dialect);
    });
    after(async () => {
      await client?.close();
      await stack?.close();
    });

    it('refreshes exactly once at the authorization server, and every call succeeds', async () => {
      const userId = 'shared-user';
      const { oauth } = newProvider({ store: client.store.mcpClient, userId, serverUrl: stack.mcpUrl });
      await loginWithPages(oauth, stack.issuer, login);
      const before = await client.store.mcpClient.findTokens(userId, stack.mcpUrl);
      assert.ok(before);

      const job = { storeUrl: client.database.url, mcpUrl: stack.mcpUrl, userId, calls: 10, advanceSeconds: 600 };
      const racers = [startClientRacer(job), startClientRacer(job)];
      await Promise.all(racers.map((r) => r.ready));
      const servedBefore = refreshes.count();
      for (const racer of racers) racer.go();
      const results = await Promise.all(racers.map((r) => r.done));

      for (const result of results) {
        assert.equal(result.ok, true, result.error);
        assert.equal(result.results.length, 10);
        for (const text of result.results) assert.equal(text, '[]');
      }
      assert.equal(refreshes.count() - servedBefore, 1, 'one refresh grant reached the authorization server');
      const after = await client.store.mcpClient.findTokens(userId, stack.mcpUrl);
      assert.equal(after?.version, before.version + 1, 'one set of refreshed tokens stored');
    });
  });
}

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

  it('ends when the server refuses its token', async () => {
    lifetime = 3600;
    const oauth = await logIn('no-refresh-3', new TestClock());
    await assert.rejects(oauth.fetch(mcpUrl(), { method: 'POST', body: '{}' }), ReauthRequiredError);
    assert.equal(await client.store.mcpClient.findTokens('no-refresh-3', mcpUrl()), undefined);
  });
});
