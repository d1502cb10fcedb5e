import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JWT_AUDIENCE_UNCHECKED } from '../../../../src/audit/scan/rules/jwt-audience-unchecked.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('jwt-audience-unchecked', () => {
  it('finds bearer tokens accepted without an audience check and stays silent on the traps', () => {
    assertFixtures(JWT_AUDIENCE_UNCHECKED, new URL('./fixtures/jwt-audience-unchecked/', import.meta.url));
  });

  it('says whether the call had no options at all or options without an audience', () => {
    const file = parseSourceFile(
      'src/verify.ts',
      "import { jwtVerify } from 'jose';\nexport const a = (t, k) => jwtVerify(t, k);\nexport const b = (t, k) => jwtVerify(t, k, { issuer: 'https://as' });",
    );
    const messages = [...JWT_AUDIENCE_UNCHECKED.find(file)].map((match) => match.message);
    assert.equal(messages.length, 2);
    assert.match(messages[0]!, /without options/);
    assert.match(messages[1]!, /no audience option/);
  });
});
