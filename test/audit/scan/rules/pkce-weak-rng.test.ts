import { describe, it } from 'node:test';
import { PKCE_WEAK_RNG } from '../../../../src/audit/scan/rules/pkce-weak-rng.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-weak-rng', () => {
  it('finds every predictable verifier, state, nonce and secret in its fixtures and stays silent on the traps', () => {
    assertFixtures(PKCE_WEAK_RNG, new URL('./fixtures/pkce-weak-rng/', import.meta.url));
  });
});
