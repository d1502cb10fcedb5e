import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerContext } from '../../../src/server/context.js';
import type { Federation } from '../../../src/server/federation/federation.js';
import { createUpstreamAccessLookup } from '../../../src/server/federation/upstream-access.js';
import { UpstreamError } from '../../../src/server/federation/upstream-error.js';
import type { UpstreamProvider } from '../../../src/server/federation/upstream-provider.js';
import { saveUpstreamTokens } from '../../../src/server/federation/upstream-tokens.js';
import { newAccessTokenId } from '../../../src/server/tokens/access-token-id.js';
import { TestClock } from '../../support/clock.js';
import { storageContext } from '../../support/server-context.js';
import { grantRecord, T0 } from '../../support/store-records.js';
import { sqliteStoreForSuite } from '../../support/suite-store.js';

describe('upstream access of the grant an access token belongs to', () => {
  const suite = sqliteStoreForSuite();
  const provider: Pick<UpstreamProvider, 'refresh'> = {
    async refresh() {
      throw new UpstreamError('denied', 'invalid_grant');
    },
  };
  const federation: Federation = { localUsers: true, providers: new Map([['idp', provider as UpstreamProvider]]) };
  const ended: string[] = [];
  const context = (): ServerContext => ({ ...storageContext(suite.store, new TestClock(T0 * 1000), federation), grantsEnded: () => ended.push('ended') });

  async function grant(revokedAt: number | null = null): Promise<string> {
    const record = grantRecord({ revokedAt });
    await suite.store.grants.create(record);
    return record.id;
  }

  it('is none for a jti that names no grant', async () => {
    assert.equal(await createUpstreamAccessLookup(context())('legacy-jti-without-a-grant'), 'none');
  });

  it('is none for a live grant without upstream tokens, ended for a revoked one', async () => {
    const lookup = createUpstreamAccessLookup(context());
    assert.equal(await lookup(newAccessTokenId(await grant())), 'none');
    assert.equal(await lookup(newAccessTokenId(await grant(T0))), 'ended');
  });

  it('hands on a fresh upstream access token', async () => {
    const ctx = context();
    const grantId = await grant();
    await saveUpstreamTokens(
      ctx,
      { grantId, providerId: 'idp', userId: 'user-1' },
      { accessToken: 'upstream-at', refreshToken: undefined, expiresAt: T0 + 3600, obtainedAt: T0 },
    );
    assert.deepEqual(await createUpstreamAccessLookup(ctx)(newAccessTokenId(grantId)), { accessToken: 'upstream-at' });
  });

  it('revokes the grant here, and says so, when the upstream refuses to refresh', async () => {
    const ctx = context();
    const grantId = await grant();
    await saveUpstreamTokens(
      ctx,
      { grantId, providerId: 'idp', userId: 'user-1' },
      { accessToken: 'old', refreshToken: 'upstream-rt', expiresAt: T0 - 10, obtainedAt: T0 - 3600 },
    );
    ended.length = 0;
    assert.equal(await createUpstreamAccessLookup(ctx)(newAccessTokenId(grantId)), 'ended');
    assert.equal((await suite.store.grants.find(grantId))?.revokedAt, T0);
    assert.deepEqual(ended, ['ended'], 'the upstream revocation was told');
  });
});
