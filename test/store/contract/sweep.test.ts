/**
 * The storage contract (src/store/types.ts) on every dialect. Sweeping (`sweep` in
 * src/store/index.ts): expired rows go, live ones stay, codes stay 600 s past expiry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessTokenRecord, codeRecord, grantRecord, pendingAuthorizationRecord, sessionRecord, signingKeyRecord, T0 } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('sweep', () => {
    const fresh = useFreshStore(dialect);

    it('deletes expired rows, keeps live ones, and keeps codes for 600 s after expiry', async () => {
      const { store } = fresh;
      const now = T0 + 10_000;
      const grant = grantRecord();
      await store.grants.create(grant);

      const expiredCode = codeRecord({ expiresAt: now - 601 });
      const graceCode = codeRecord({ expiresAt: now - 599 });
      const liveCode = codeRecord({ expiresAt: now + 60 });
      const expiredPending = pendingAuthorizationRecord({ expiresAt: now - 1 });
      const livePending = pendingAuthorizationRecord({ expiresAt: now + 600 });
      const expiredSession = sessionRecord({ expiresAt: now - 1 });
      const liveSession = sessionRecord({ expiresAt: now + 3600 });
      const expiredAccess = accessTokenRecord(grant, { expiresAt: now - 1, revokedAt: now - 1 });
      const liveAccess = accessTokenRecord(grant, { expiresAt: now + 3600, revokedAt: now - 1 });
      const revokedLiveAccess = accessTokenRecord(grant, { expiresAt: now + 3600, revokedAt: now - 5 });

      for (const c of [expiredCode, graceCode, liveCode]) await store.codes.create(c);
      for (const p of [expiredPending, livePending]) await store.pendingAuthorizations.create(p);
      for (const s of [expiredSession, liveSession]) await store.sessions.create(s);
      for (const a of [expiredAccess, liveAccess, revokedLiveAccess]) await store.grants.revokeAccessToken(a, a.revokedAt ?? now - 1);
      const key = signingKeyRecord({ retiredAt: T0 });
      await store.signingKeys.add(key);

      assert.equal(await store.sweep(now), 4);
      assert.equal(await store.sweep(now), 0);

      // Deleted (looked up with a clock from before they expired, so only absence can hide them).
      assert.equal((await store.codes.consume(expiredCode.codeHash, T0)).outcome, 'unknown');
      assert.equal(await store.pendingAuthorizations.find(expiredPending.idHash, T0), undefined);
      assert.equal(await store.sessions.find(expiredSession.idHash, T0), undefined);
      assert.equal(await store.grants.findAccessToken(expiredAccess.jti), undefined);

      // Kept.
      assert.equal((await store.codes.consume(graceCode.codeHash, now)).outcome, 'redeemed');
      assert.equal((await store.codes.consume(liveCode.codeHash, now)).outcome, 'redeemed');
      assert.deepEqual(await store.pendingAuthorizations.find(livePending.idHash, now), livePending);
      assert.deepEqual(await store.sessions.find(liveSession.idHash, now), liveSession);
      assert.deepEqual(await store.grants.findAccessToken(liveAccess.jti), liveAccess);
      assert.deepEqual(await store.grants.findAccessToken(revokedLiveAccess.jti), revokedLiveAccess);
      assert.deepEqual(await store.grants.find(grant.id), grant);
      assert.deepEqual(await store.signingKeys.listPublishable(0), [key]);

      // The grace code goes once it is more than 600 s past expiry (at now + 2); nothing else is due yet.
      assert.equal(await store.sweep(now + 1), 0);
      assert.equal(await store.sweep(now + 2), 1);
      assert.equal((await store.codes.consume(graceCode.codeHash, now + 2)).outcome, 'unknown');
      assert.equal((await store.codes.consume(liveCode.codeHash, now + 2)).outcome, 'replayed');
    });
  });
});
