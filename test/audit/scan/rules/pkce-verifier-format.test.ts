import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PKCE_VERIFIER_FORMAT } from '../../../../src/audit/scan/rules/pkce-verifier-format.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-verifier-format', () => {
  it('finds verifiers too short, too long or outside the alphabet in its fixtures and stays silent on the traps', () => {
    assertFixtures(PKCE_VERIFIER_FORMAT, new URL('./fixtures/pkce-verifier-format/', import.meta.url));
  });

  it('says how the verifier was made and how long it is', () => {
    const file = parseSourceFile(
      'src/login.ts',
      "import { randomBytes } from 'node:crypto';\nconst bytes = randomBytes(16);\nexport const codeVerifier = bytes.toString('hex');\n",
    );
    const [match] = [...PKCE_VERIFIER_FORMAT.find(file)];
    assert.equal(match?.message, 'codeVerifier is 16 random bytes as hex: 32 characters, fewer than the 43 a verifier needs (RFC 7636 §4.1).');
  });
});
