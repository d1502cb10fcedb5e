/**
 * The client side's storage contract (McpClientStore in src/store/types.ts, kept by
 * src/store/mcp-client-store.ts) on every dialect: single-use pending logins, compare-and-set token
 * refreshes, one refresh lease at a time, removal of every row of a server or a user, and sweeping.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ClientPendingLoginRecord, ClientTokensUpdate } from '../../../src/store/index.js';
import { randomHash, T0, uniqueId } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

const ISSUER = 'https://as.example.com';
const SERVER = 'https://mcp.example.com/mcp';

function pending(overrides: Partial<ClientPendingLoginRecord> = {}): ClientPendingLoginRecord {
  return {
    stateHash: randomHash(),
    userId: uniqueId('user'),
    serverUrl: SERVER,
    issuer: ISSUER,
    sealed: 'v1.pending',
    createdAt: T0,
    expiresAt: T0 + 600,
    ...overrides,
  };
}

function update(overrides: Partial<ClientTokensUpdate> = {}): ClientTokensUpdate {
  return { clientId: 'client-1', sealed: 'v1.tokens', scope: ['notes:read'], accessExpiresAt: T0 + 3600, hasRefreshToken: true, ...overrides };
}

await describeOnEveryDialect('client store contract', (dialect) => {
  const fresh = useFreshStore(dialect);

  it('keeps one registration per issuer and redirect URI, replaced by a new one', async () => {
    const record = {
      issuer: ISSUER,
      redirectUri: 'http://127.0.0.1:4000/cb',
      clientId: 'first',
      clientSecretSealed: null,
      tokenEndpointAuthMethod: 'none',
      method: 'dcr' as const,
      expiresAt: null,
      createdAt: T0,
    };
    await fresh.store.mcpClient.saveRegistration(record);
    assert.deepEqual(await fresh.store.mcpClient.findRegistration(ISSUER, record.redirectUri), record);
    assert.equal(await fresh.store.mcpClient.findRegistration('https://other.example.com', record.redirectUri), undefined, 'keyed by issuer');
    await fresh.store.mcpClient.saveRegistration({
      ...record,
      clientId: 'second',
      clientSecretSealed: 'v1.secret',
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    assert.equal((await fresh.store.mcpClient.findRegistration(ISSUER, record.redirectUri))?.clientId, 'second');
    await fresh.store.mcpClient.deleteRegistration(ISSUER, record.redirectUri);
    assert.equal(await fresh.store.mcpClient.findRegistration(ISSUER, record.redirectUri), undefined);
  });

  it('hands a pending login to exactly one of 10 concurrent callbacks, and none once expired', async () => {
    const login = pending();
    await fresh.store.mcpClient.createPendingLogin(login);
    const takes = await Promise.all(Array.from({ length: 10 }, () => fresh.store.mcpClient.takePendingLogin(login.stateHash, T0 + 1)));
    assert.equal(takes.filter((t) => t !== undefined).length, 1);
    assert.deepEqual(
      takes.find((t) => t !== undefined),
      login,
    );
    const late = pending();
    await fresh.store.mcpClient.createPendingLogin(late);
    assert.equal(await fresh.store.mcpClient.takePendingLogin(late.stateHash, T0 + 600), undefined, 'expired at 10 minutes');
    assert.equal(await fresh.store.mcpClient.takePendingLogin(late.stateHash, T0), undefined, 'gone even after a refused take');
  });

  it('refuses a second pending login with the same state hash', async () => {
    const login = pending();
    await fresh.store.mcpClient.createPendingLogin(login);
    await assert.rejects(fresh.store.mcpClient.createPendingLogin({ ...login, userId: 'someone-else' }));
  });

  it('saves tokens per (user, server, issuer), bumping the version on every save', async () => {
    const userId = uniqueId('user');
    assert.equal(await fresh.store.mcpClient.saveTokens(userId, SERVER, ISSUER, update(), T0), 1);
    assert.equal(await fresh.store.mcpClient.saveTokens(userId, SERVER, ISSUER, update({ scope: ['notes:read', 'notes:write'] }), T0 + 1), 2);
    const row = await fresh.store.mcpClient.findTokens(userId, SERVER);
    assert.deepEqual(row, {
      userId,
      serverUrl: SERVER,
      issuer: ISSUER,
      clientId: 'client-1',
      sealed: 'v1.tokens',
      scope: ['notes:read', 'notes:write'],
      accessExpiresAt: T0 + 3600,
      hasRefreshToken: true,
      version: 2,
      createdAt: T0,
      updatedAt: T0 + 1,
    });
    assert.equal(await fresh.store.mcpClient.findTokens(userId, 'https://mcp.example.com/other'), undefined);
    assert.equal(await fresh.store.mcpClient.findTokens(uniqueId('user'), SERVER), undefined);
  });

  it('stores refreshed tokens only over the version that was read (compare-and-set)', async () => {
    const userId = uniqueId('user');
    const version = await fresh.store.mcpClient.saveTokens(userId, SERVER, ISSUER, update(), T0);
    const outcomes = await Promise.all(
      ['v1.first', 'v1.second', 'v1.third'].map((sealed) => fresh.store.mcpClient.replaceTokens(userId, SERVER, ISSUER, version, update({ sealed }), T0 + 5)),
    );
    assert.deepEqual(outcomes.filter(Boolean).length, 1);
    const row = await fresh.store.mcpClient.findTokens(userId, SERVER);
    assert.equal(row?.version, version + 1);
    assert.equal(row?.updatedAt, T0 + 5);
    assert.equal(row?.createdAt, T0, 'a refresh keeps the creation time');
    // Clearing what was already replaced keeps the replacement.
    assert.equal(await fresh.store.mcpClient.clearTokens(userId, SERVER, ISSUER, version), false);
    assert.ok(await fresh.store.mcpClient.findTokens(userId, SERVER));
    assert.equal(await fresh.store.mcpClient.clearTokens(userId, SERVER, ISSUER, version + 1), true);
    assert.equal(await fresh.store.mcpClient.findTokens(userId, SERVER), undefined);
  });

  it('gives the refresh lease to exactly one of 10 concurrent takers until it expires or is released', async () => {
    const userId = uniqueId('user');
    const holders = Array.from({ length: 10 }, (_, i) => `holder-${i}`);
    const taken = await Promise.all(holders.map((h) => fresh.store.mcpClient.takeRefreshLease(userId, SERVER, h, T0, T0 + 30)));
    assert.equal(taken.filter(Boolean).length, 1);
    const winner = holders[taken.indexOf(true)]!;
    const loser = holders.find((h) => h !== winner)!;
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, loser, T0 + 29, T0 + 59), false, 'live lease');
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, winner, T0 + 1, T0 + 31), true, 'the holder may extend it');
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, loser, T0 + 31, T0 + 61), true, 'an expired lease is taken over');
    await fresh.store.mcpClient.releaseRefreshLease(userId, SERVER, winner);
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, 'third', T0 + 32, T0 + 62), false, 'a former holder cannot release it');
    await fresh.store.mcpClient.releaseRefreshLease(userId, SERVER, loser);
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, 'third', T0 + 32, T0 + 62), true);
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(uniqueId('user'), SERVER, 'fourth', T0 + 32, T0 + 62), true, 'leases are per user');
  });

  it('removes every row of one server, or of a user, and returns the tokens removed', async () => {
    const userId = uniqueId('user');
    const other = 'https://mcp.example.com/other';
    await fresh.store.mcpClient.saveTokens(userId, SERVER, ISSUER, update(), T0);
    await fresh.store.mcpClient.saveTokens(userId, other, ISSUER, update(), T0);
    const login = pending({ userId });
    await fresh.store.mcpClient.createPendingLogin(login);
    await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, 'h', T0, T0 + 30);

    const removed = await fresh.store.mcpClient.removeServer(userId, SERVER);
    assert.deepEqual(
      removed.map((r) => r.serverUrl),
      [SERVER],
    );
    assert.equal(await fresh.store.mcpClient.findTokens(userId, SERVER), undefined);
    assert.equal(await fresh.store.mcpClient.takePendingLogin(login.stateHash, T0), undefined, 'pending login deleted');
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, 'other-holder', T0, T0 + 30), true, 'lease deleted');
    assert.deepEqual(
      (await fresh.store.mcpClient.listTokens(userId)).map((r) => r.serverUrl),
      [other],
    );

    await fresh.store.mcpClient.createPendingLogin(pending({ userId, serverUrl: other }));
    const all = await fresh.store.mcpClient.removeUser(userId);
    assert.deepEqual(
      all.map((r) => r.serverUrl),
      [other],
    );
    assert.deepEqual(await fresh.store.mcpClient.listTokens(userId), []);
  });

  it('sweeps expired pending logins and leases, keeps live ones', async () => {
    const expired = pending({ expiresAt: T0 + 10 });
    const live = pending({ expiresAt: T0 + 10_000 });
    await fresh.store.mcpClient.createPendingLogin(expired);
    await fresh.store.mcpClient.createPendingLogin(live);
    const userId = uniqueId('user');
    await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, 'gone', T0, T0 + 10);
    assert.ok((await fresh.store.sweep(T0 + 11)) >= 2);
    assert.equal(await fresh.store.mcpClient.takePendingLogin(expired.stateHash, T0), undefined);
    assert.deepEqual(await fresh.store.mcpClient.takePendingLogin(live.stateHash, T0), live);
    // The swept lease no longer blocks, even judged at a time it was live.
    assert.equal(await fresh.store.mcpClient.takeRefreshLease(userId, SERVER, 'next', T0, T0 + 30), true);
  });
});
