import { describe, it } from 'node:test';
import { PKCE_MISSING } from '../../../../src/audit/scan/rules/pkce-missing.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-missing', () => {
  it('finds code-flow requests without a challenge in its fixtures and stays silent on the traps', () => {
    assertFixtures(PKCE_MISSING, new URL('./fixtures/pkce-missing/', import.meta.url));
  });
});
