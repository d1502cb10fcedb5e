import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECRET_COMPARE_TIMING } from '../../../../src/audit/scan/rules/secret-compare-timing.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('secret-compare-timing', () => {
  it('finds secrets, tokens and signatures compared in non-constant time and stays silent on the traps', () => {
    assertFixtures(SECRET_COMPARE_TIMING, new URL('./fixtures/secret-compare-timing/', import.meta.url));
  });

  it('names where a secret known only by its provenance came from, and gives the way it went', () => {
    const file = parseSourceFile(
      'src/guard.ts',
      [
        "import express from 'express';",
        'export function guard(req: express.Request, expected: string) {',
        "  const value = req.headers['x-api-key'];",
        '  return value === expected;',
        '}',
      ].join('\n'),
    );
    const [match, ...more] = [...SECRET_COMPARE_TIMING.find(file)];
    assert.equal(more.length, 0);
    assert.match(match!.message, /^req\.headers\.x-api-key is compared with ===/);
    assert.equal(match!.flow?.[0]?.loc.start.line, 3);
  });
});
