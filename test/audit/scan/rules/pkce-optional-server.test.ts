import { describe, it } from 'node:test';
import { PKCE_OPTIONAL_SERVER } from '../../../../src/audit/scan/rules/pkce-optional-server.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-optional-server', () => {
  it('finds PKCE checked only when present and stays silent on the traps', () => {
    assertFixtures(PKCE_OPTIONAL_SERVER, new URL('./fixtures/pkce-optional-server/', import.meta.url));
  });
});
