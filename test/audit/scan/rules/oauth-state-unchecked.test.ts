import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAUTH_STATE_UNCHECKED } from '../../../../src/audit/scan/rules/oauth-state-unchecked.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('oauth-state-unchecked', () => {
  it('finds callbacks that accept any state in its fixtures and stays silent on the traps', () => {
    assertFixtures(OAUTH_STATE_UNCHECKED, new URL('./fixtures/oauth-state-unchecked/', import.meta.url));
  });

  it('says whether state is only checked for presence or not compared at all', () => {
    const messages = (handler: string) =>
      [...OAUTH_STATE_UNCHECKED.find(parseSourceFile('src/callback.ts', `app.get('/cb', async (req, res) => { ${handler} });`))].map((match) => match.message);
    assert.match(messages('const { code, state } = req.query; if (!state) return; await exchange(code);')[0] ?? '', /only checks that state is present/);
    assert.match(messages('const { code, state } = req.query; await exchange(code, state);')[0] ?? '', /never compares it/);
  });
});
