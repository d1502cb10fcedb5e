import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOKEN_LOGGED } from '../../../../src/audit/scan/rules/token-logged.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('token-logged', () => {
  it('finds tokens, secrets and Authorization headers in logs and errors, and stays silent on the traps', () => {
    assertFixtures(TOKEN_LOGGED, new URL('./fixtures/token-logged/', import.meta.url));
  });

  it('names the logger and where the token came from', () => {
    const file = parseSourceFile('src/app.ts', 'export function f(req) { console.log(req.headers.authorization); }');
    const [match] = [...TOKEN_LOGGED.find(file)];
    assert.equal(match?.message, 'console.log writes the Authorization header (req.headers.authorization): whoever reads the log can use it.');
  });
});
