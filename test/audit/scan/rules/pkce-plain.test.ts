import { describe, it } from 'node:test';
import { PKCE_PLAIN } from '../../../../src/audit/scan/rules/pkce-plain.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-plain', () => {
  it('finds plain chosen or allowed in its fixtures and stays silent on the traps', () => {
    assertFixtures(PKCE_PLAIN, new URL('./fixtures/pkce-plain/', import.meta.url));
  });
});
