import { describe, it } from 'node:test';
import { TOKEN_IN_URL } from '../../../../src/audit/scan/rules/token-in-url.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('token-in-url', () => {
  it('finds tokens put in the query of requested and redirected URLs, and stays silent on the traps', () => {
    assertFixtures(TOKEN_IN_URL, new URL('./fixtures/token-in-url/', import.meta.url));
  });
});
