import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COOKIE_FLAGS } from '../../../../src/audit/scan/rules/cookie-flags.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('cookie-flags', () => {
  it('finds auth cookies set without HttpOnly, Secure or SameSite and stays silent on the traps', () => {
    assertFixtures(COOKIE_FLAGS, new URL('./fixtures/cookie-flags/', import.meta.url));
  });

  it('names the cookie and every flag it lacks', () => {
    const file = parseSourceFile('src/login.ts', "export const login = (req, res) => res.cookie('sid', 'x', { sameSite: 'lax' });");
    const [match] = [...COOKIE_FLAGS.find(file)];
    assert.match(match?.message ?? '', /sid is set without HttpOnly, Secure/);
  });
});
