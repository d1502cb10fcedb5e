import { describe, it } from 'node:test';
import { OAUTH_STATE_MISSING } from '../../../../src/audit/scan/rules/oauth-state-missing.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('oauth-state-missing', () => {
  it('finds code-flow requests without state in its fixtures and stays silent on the traps', () => {
    assertFixtures(OAUTH_STATE_MISSING, new URL('./fixtures/oauth-state-missing/', import.meta.url));
  });
});
