import { describe, it } from 'node:test';
import { PKCE_VERIFIER_FRONT_CHANNEL } from '../../../../src/audit/scan/rules/pkce-verifier-front-channel.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-verifier-front-channel', () => {
  it('finds the verifier in URLs, state, signed JWTs and script-readable cookies and stays silent on the traps', () => {
    assertFixtures(PKCE_VERIFIER_FRONT_CHANNEL, new URL('./fixtures/pkce-verifier-front-channel/', import.meta.url));
  });
});
