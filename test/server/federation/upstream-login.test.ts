/**
 * The sealed upstream login attempt, taken once by the callback's `state`: a row whose sealed
 * value opens but is not an attempt of the stored shape is refused as an unknown `state` is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSecret, randomSecret } from '../../../src/core/secrets.js';
import { takeUpstreamLogin, type UpstreamLoginState } from '../../../src/server/federation/upstream-login.js';
import { TestClock } from '../../support/clock.js';
import { storageContext } from '../../support/server-context.js';
import { T0 } from '../../support/store-records.js';
import { sqliteStoreForSuite } from '../../support/suite-store.js';

/** The AES-GCM associated data upstream-login.ts seals attempts under. */
const SEAL_CONTEXT = 'upstream-login';

const attempt: UpstreamLoginState = {
  request: {
    clientId: 'client-1',
    redirectUri: 'https://app.example/callback',
    state: 'client-state',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: ['notes:read'],
    resource: 'https://mcp.example/mcp',
  },
  attempt: { state: 'upstream-state', nonce: undefined, codeVerifier: 'verifier' },
  consent: 'approved',
  bindingHash: hashSecret('binding'),
};

describe('takeUpstreamLogin', () => {
  const suite = sqliteStoreForSuite();
  const context = () => storageContext(suite.store, new TestClock(T0 * 1000));

  /** Writes an attempt row through the store, sealed as upstream-login.ts seals it; returns its `state`. */
  async function storeAttempt(plaintext: string): Promise<string> {
    const state = randomSecret(24);
    await suite.store.federation.createLogin({
      stateHash: hashSecret(state),
      providerId: 'idp',
      sealed: context().keyring.seal(plaintext, SEAL_CONTEXT),
      createdAt: T0,
      expiresAt: T0 + 600,
    });
    return state;
  }

  it('takes a stored attempt once', async () => {
    const state = await storeAttempt(JSON.stringify(attempt));
    const ctx = context();
    assert.deepEqual(await takeUpstreamLogin(ctx, state), { providerId: 'idp', stateHash: hashSecret(state), saved: attempt });
    assert.equal(await takeUpstreamLogin(ctx, state), undefined);
  });

  it('refuses an attempt of another shape as an unknown state, and it stays gone', async () => {
    const foreign = [
      'not json',
      '{}',
      JSON.stringify({ ...attempt, consent: 'maybe' }),
      JSON.stringify({ ...attempt, attempt: { state: 'upstream-state' } }),
      JSON.stringify({ ...attempt, request: { ...attempt.request, scope: 'notes:read' } }),
    ];
    const ctx = context();
    for (const plaintext of foreign) {
      const state = await storeAttempt(plaintext);
      assert.equal(await takeUpstreamLogin(ctx, state), undefined, plaintext);
      assert.equal(await suite.store.federation.takeLogin(hashSecret(state), T0), undefined, 'taken: one callback per state');
    }
  });
});
