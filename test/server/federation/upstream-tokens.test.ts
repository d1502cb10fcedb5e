/**
 * Upstream tokens kept sealed per grant: a row whose sealed value opens but is not a token set of
 * the stored shape is as good as ended (the user signs in again), and is forgotten without a
 * revocation upstream, as when its provider is gone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Federation } from '../../../src/server/federation/federation.js';
import type { UpstreamProvider, UpstreamTokenSet } from '../../../src/server/federation/upstream-provider.js';
import { createUpstreamTokenAccess, revokeEndedUpstreamTokens, saveUpstreamTokens } from '../../../src/server/federation/upstream-tokens.js';
import { TestClock } from '../../support/clock.js';
import { storageContext } from '../../support/server-context.js';
import { T0, uniqueId } from '../../support/store-records.js';
import { sqliteStoreForSuite } from '../../support/suite-store.js';

/** The AES-GCM associated data upstream-tokens.ts seals a grant's tokens under. */
const sealContext = (grantId: string) => `upstream-tokens:${grantId}`;

const foreign = ['not json', '{}', JSON.stringify({ accessToken: 'at', obtainedAt: 'yesterday' }), JSON.stringify({ access_token: 'at', expires_in: 3600 })];

describe('upstream tokens', () => {
  const suite = sqliteStoreForSuite();
  const revoked: string[] = [];
  const provider: Pick<UpstreamProvider, 'revoke'> = {
    async revoke(token) {
      revoked.push(token);
      return true;
    },
  };
  const federation: Federation = { localUsers: true, providers: new Map([['idp', provider as UpstreamProvider]]) };
  const contextAt = (seconds: number) => storageContext(suite.store, new TestClock(seconds * 1000), federation);

  /** Writes an upstream tokens row through the store, sealed as upstream-tokens.ts seals it. */
  async function storeTokens(plaintext: string): Promise<string> {
    const grantId = uniqueId('grant');
    await suite.store.federation.saveUpstreamTokens({
      grantId,
      providerId: 'idp',
      userId: 'user-1',
      sealed: contextAt(T0).keyring.seal(plaintext, sealContext(grantId)),
      accessExpiresAt: null,
      version: 0,
      revokeAttempts: 0,
      createdAt: T0,
      updatedAt: T0,
    });
    return grantId;
  }

  it('hands on a saved access token while it is fresh', async () => {
    const grantId = uniqueId('grant');
    const tokens: UpstreamTokenSet = { accessToken: 'upstream-at', refreshToken: undefined, expiresAt: T0 + 3600, obtainedAt: T0 };
    const ctx = contextAt(T0);
    await saveUpstreamTokens(ctx, { grantId, providerId: 'idp', userId: 'user-1' }, tokens);
    assert.deepEqual(await createUpstreamTokenAccess(ctx).accessFor(grantId), { accessToken: 'upstream-at' });
  });

  it('ends the grant whose stored tokens are not of the stored shape', async () => {
    const access = createUpstreamTokenAccess(contextAt(T0));
    for (const plaintext of foreign) {
      assert.equal(await access.accessFor(await storeTokens(plaintext)), 'ended', plaintext);
    }
  });

  it('forgets ended tokens of another shape without revoking anything upstream', async () => {
    const grantIds = [];
    for (const plaintext of foreign) grantIds.push(await storeTokens(plaintext));
    // Past the time an unclaimed row waits for its grant.
    revoked.length = 0;
    assert.ok((await revokeEndedUpstreamTokens(contextAt(T0 + 3600))) >= grantIds.length);
    // Only the readable tokens of the first test, if it ran, are revoked upstream.
    assert.deepEqual(
      revoked.filter((token) => token !== 'upstream-at'),
      [],
    );
    for (const grantId of grantIds) assert.equal(await suite.store.federation.findUpstreamTokens(grantId), undefined, grantId);
  });
});
