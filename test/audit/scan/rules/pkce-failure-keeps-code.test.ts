import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PKCE_FAILURE_KEEPS_CODE } from '../../../../src/audit/scan/rules/pkce-failure-keeps-code.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-failure-keeps-code', () => {
  it('finds a PKCE refusal before the code is consumed and stays silent on the traps', () => {
    assertFixtures(PKCE_FAILURE_KEEPS_CODE, new URL('./fixtures/pkce-failure-keeps-code/', import.meta.url));
  });

  it('names the call that consumes the code, and its line', () => {
    const file = parseSourceFile(
      'src/token.ts',
      [
        'export async function redeem(codes: Map<string, string>, code: string, codeVerifier: string) {',
        '  if (!verifyPkce(codeVerifier, codes.get(code)!)) throw new Error("invalid_grant");',
        '  codes.delete(code);',
        '}',
      ].join('\n'),
    );
    const [match] = [...PKCE_FAILURE_KEEPS_CODE.find(file)];
    assert.match(match!.message, /before codes\.delete\(…\) on line 3/);
  });
});
