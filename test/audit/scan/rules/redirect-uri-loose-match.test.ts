import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDIRECT_URI_LOOSE_MATCH } from '../../../../src/audit/scan/rules/redirect-uri-loose-match.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('redirect-uri-loose-match', () => {
  it('finds redirect URIs accepted by loose matches and stays silent on exact matching and the loopback relaxation', () => {
    assertFixtures(REDIRECT_URI_LOOSE_MATCH, new URL('./fixtures/redirect-uri-loose-match/', import.meta.url));
  });

  it('says which loose match it found: a prefix, a wildcard pattern, a host-only comparison', () => {
    const file = parseSourceFile(
      'src/match.ts',
      [
        'export function accept(redirect_uri: string, registered: string) {',
        '  if (redirect_uri.startsWith(registered)) return true;',
        "  if (new RegExp(registered.replaceAll('*', '.*')).test(redirect_uri)) return true;",
        '  return new URL(redirect_uri).host === new URL(registered).host;',
        '}',
      ].join('\n'),
    );
    const messages = [...REDIRECT_URI_LOOSE_MATCH.find(file)].map((match) => match.message);
    assert.equal(messages.length, 3);
    assert.match(messages[0]!, /^redirect_uri is accepted by a prefix match/);
    assert.match(messages[1]!, /whose \* was expanded into a pattern/);
    assert.match(messages[2]!, /comparing only its host/);
  });
});
