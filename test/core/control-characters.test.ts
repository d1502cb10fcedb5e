import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeControlCharacters } from '../../src/core/control-characters.js';

describe('escapeControlCharacters', () => {
  it('shows every control character, newlines and escape sequences included, and leaves other text alone', () => {
    assert.equal(escapeControlCharacters('a\u001b[2Jb\nc\rd\u0007\u009b'), 'a\\u001b[2Jb\\u000ac\\u000dd\\u0007\\u009b');
    assert.equal(escapeControlCharacters('plain text, “quotes”, é, 漢字'), 'plain text, “quotes”, é, 漢字');
  });
});
