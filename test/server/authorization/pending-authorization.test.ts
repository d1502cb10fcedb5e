/**
 * The pending authorization request kept while the user logs in and consents: found and taken as
 * it was saved, and a stored row not of that shape refused as an unknown request is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSecret, randomSecret } from '../../../src/core/secrets.js';
import type { AuthorizationRequest } from '../../../src/server/authorization/authorization-request.js';
import { findPendingAuthorization, savePendingAuthorization, takePendingAuthorization } from '../../../src/server/authorization/pending-authorization.js';
import { TestClock } from '../../support/clock.js';
import { storageContext } from '../../support/server-context.js';
import { pendingAuthorizationRecord, T0 } from '../../support/store-records.js';
import { sqliteStoreForSuite } from '../../support/suite-store.js';

const request: AuthorizationRequest = {
  clientId: 'client-1',
  redirectUri: 'https://app.example/callback',
  state: undefined,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  scope: ['notes:read'],
  resource: 'https://mcp.example/mcp',
};

describe('pending authorization requests', () => {
  const suite = sqliteStoreForSuite();
  const context = () => storageContext(suite.store, new TestClock(T0 * 1000));

  it('finds and then takes the request as it was saved, once', async () => {
    const ctx = context();
    for (const saved of [request, { ...request, state: 'xyz', grantId: 'grant-1' }]) {
      const handle = await savePendingAuthorization(ctx, saved);
      assert.deepEqual(await findPendingAuthorization(ctx, handle), saved);
      assert.deepEqual(await takePendingAuthorization(ctx, handle), saved);
      assert.equal(await takePendingAuthorization(ctx, handle), undefined, 'one decision per request');
    }
  });

  it('refuses a stored row that is not a request of the stored shape, as an unknown one', async () => {
    const ctx = context();
    const foreign = [
      'not json',
      'null',
      '[]',
      '{}',
      JSON.stringify({ response_type: 'code', state: 'xyz', scope: 'read' }),
      JSON.stringify({ ...request, scope: 'notes:read' }),
      JSON.stringify({ ...request, state: 7 }),
    ];
    for (const params of foreign) {
      const handle = randomSecret(24);
      await suite.store.pendingAuthorizations.create(pendingAuthorizationRecord({ idHash: hashSecret(handle), params }));
      assert.equal(await findPendingAuthorization(ctx, handle), undefined, params);
      assert.equal(await takePendingAuthorization(ctx, handle), undefined, params);
    }
  });
});
