/**
 * The storage contract (src/store/types.ts) on every dialect. Federation rows (src/store/federation-
 * store.ts): single-use upstream sign-in attempts, linked accounts, and compare-and-set upstream
 * tokens.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantRecord, randomHash, T0, uniqueId, userRecord } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('federation', () => {
    const fresh = useFreshStore(dialect);
    const login = (overrides: Partial<{ stateHash: string; expiresAt: number }> = {}) => ({
      stateHash: randomHash(),
      providerId: 'corp',
      sealed: 'v1.sealed',
      createdAt: T0,
      expiresAt: T0 + 600,
      ...overrides,
    });
    const tokens = (grantId: string, overrides: Partial<{ createdAt: number }> = {}) => ({
      grantId,
      providerId: 'corp',
      userId: uniqueId('user'),
      sealed: 'v1.tokens',
      accessExpiresAt: T0 + 3600,
      version: 0,
      revokeAttempts: 0,
      createdAt: T0,
      updatedAt: T0,
      ...overrides,
    });

    it('hands an upstream sign-in attempt to exactly one of concurrent callbacks, and none once expired', async () => {
      const attempt = login();
      await fresh.store.federation.createLogin(attempt);
      const takes = await Promise.all(Array.from({ length: 10 }, () => fresh.store.federation.takeLogin(attempt.stateHash, T0 + 1)));
      assert.equal(takes.filter((t) => t !== undefined).length, 1);
      assert.deepEqual(
        takes.find((t) => t !== undefined),
        attempt,
      );
      const late = login();
      await fresh.store.federation.createLogin(late);
      assert.equal(await fresh.store.federation.takeLogin(late.stateHash, T0 + 600), undefined);
      assert.equal(await fresh.store.federation.takeLogin(late.stateHash, T0), undefined, 'gone even after a refused take');
    });

    it('links an upstream account to one user, also when its first sign-ins race', async () => {
      const subject = uniqueId('subject');
      const identity = { providerId: 'corp', subject, email: 'a@example.com', displayName: 'A' };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => fresh.store.federation.signIn(identity, userRecord({ username: `corp:${subject}` }), T0)),
      );
      const userIds = new Set(results.map((r) => r.userId));
      assert.equal(userIds.size, 1, 'one user for the account');
      assert.equal(results.filter((r) => r.created).length, 1);
      const [userId] = userIds;
      const again = await fresh.store.federation.signIn({ ...identity, email: 'new@example.com' }, userRecord(), T0 + 5);
      assert.deepEqual(again, { userId, created: false });
      const linked = await fresh.store.federation.findIdentityOfUser(userId!);
      assert.equal(linked?.email, 'new@example.com');
      assert.equal(linked?.lastLoginAt, T0 + 5);
      // Removing the user unlinks the account.
      assert.ok(await fresh.store.users.remove(`corp:${subject}`, T0 + 6));
      assert.equal(await fresh.store.federation.findIdentityOfUser(userId!), undefined);
    });

    it('stores refreshed upstream tokens only over the version that was read (compare-and-set)', async () => {
      const grant = grantRecord();
      await fresh.store.grants.create(grant);
      await fresh.store.federation.saveUpstreamTokens(tokens(grant.id));
      const outcomes = await Promise.all([
        fresh.store.federation.replaceUpstreamTokens(grant.id, 0, 'v1.first', T0 + 7200, T0 + 1),
        fresh.store.federation.replaceUpstreamTokens(grant.id, 0, 'v1.second', T0 + 7200, T0 + 1),
      ]);
      assert.deepEqual(outcomes.sort(), [false, true]);
      const row = await fresh.store.federation.findUpstreamTokens(grant.id);
      assert.equal(row?.version, 1);
      assert.ok(row?.sealed === 'v1.first' || row?.sealed === 'v1.second');
    });

    it('lists upstream tokens of revoked grants and of sign-ins no grant claimed, and counts revoke attempts', async () => {
      const live = grantRecord();
      const revoked = grantRecord();
      for (const g of [live, revoked]) await fresh.store.grants.create(g);
      await fresh.store.grants.revoke(revoked.id, T0 + 10);
      const orphanOld = uniqueId('grant');
      const orphanNew = uniqueId('grant');
      await fresh.store.federation.saveUpstreamTokens(tokens(live.id));
      await fresh.store.federation.saveUpstreamTokens(tokens(revoked.id));
      await fresh.store.federation.saveUpstreamTokens(tokens(orphanOld, { createdAt: T0 }));
      await fresh.store.federation.saveUpstreamTokens(tokens(orphanNew, { createdAt: T0 + 1000 }));
      const ended = (await fresh.store.federation.listEndedUpstreamTokens(T0 + 500, 100)).map((r) => r.grantId).sort();
      assert.deepEqual(ended, [orphanOld, revoked.id].sort());
      assert.equal(await fresh.store.federation.noteRevokeAttempt(revoked.id), 1);
      assert.equal(await fresh.store.federation.noteRevokeAttempt(revoked.id), 2);
      await fresh.store.federation.deleteUpstreamTokens(revoked.id);
      assert.equal(await fresh.store.federation.findUpstreamTokens(revoked.id), undefined);
    });

    it('sweeps expired sign-in attempts', async () => {
      const expired = login({ expiresAt: T0 + 10 });
      await fresh.store.federation.createLogin(expired);
      assert.ok((await fresh.store.sweep(T0 + 11)) >= 1);
      assert.equal(await fresh.store.federation.takeLogin(expired.stateHash, T0), undefined);
    });
  });
});
