/**
 * The storage contract (src/store/types.ts) on every dialect. Revoked access tokens
 * (src/store/grant-store.ts): recorded once, keeping the first revocation time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessTokenRecord, grantRecord, T0, uniqueId } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
  describe('access tokens', () => {
    const fresh = useFreshStore(dialect);

    it('has no record of an access token that was never revoked', async () => {
      assert.equal(await fresh.store.grants.findAccessToken(uniqueId('jti')), undefined);
    });

    it('records a revoked access token once; a later revoke keeps the first time', async () => {
      const token = accessTokenRecord(grantRecord());
      await fresh.store.grants.revokeAccessToken(token, T0 + 10);
      assert.deepEqual(await fresh.store.grants.findAccessToken(token.jti), { ...token, revokedAt: T0 + 10 });
      await fresh.store.grants.revokeAccessToken(token, T0 + 20);
      assert.equal((await fresh.store.grants.findAccessToken(token.jti))?.revokedAt, T0 + 10);
    });
  });
});
