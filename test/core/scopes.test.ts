import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatScope, isScopeSubset, parseScope } from '../../src/core/scopes.js';

describe('parseScope (RFC 6749 §3.3)', () => {
  it('treats a missing or empty scope as no scopes', () => {
    assert.deepEqual(parseScope(undefined), []);
    assert.deepEqual(parseScope(null), []);
    assert.deepEqual(parseScope(''), []);
  });

  it('returns sorted unique tokens', () => {
    assert.deepEqual(parseScope('write read write'), ['read', 'write']);
    assert.deepEqual(parseScope('mcp:tools.read'), ['mcp:tools.read']);
  });

  it('accepts every character of scope-token: %x21 / %x23-5B / %x5D-7E', () => {
    assert.deepEqual(parseScope('!#[]~'), ['!#[]~']);
  });

  it('refuses malformed scope strings', () => {
    for (const scope of ['a  b', ' a', 'a ', 'a"b', 'a\\b', 'a\tb', 'a\nb', 'écrire', 'a\u007fb', ' ']) {
      assert.equal(parseScope(scope), null, JSON.stringify(scope));
    }
  });
});

describe('formatScope', () => {
  it('joins sorted unique tokens with single spaces', () => {
    assert.equal(formatScope(['write', 'read', 'write']), 'read write');
    assert.equal(formatScope([]), '');
  });

  it('round-trips through parseScope', () => {
    assert.deepEqual(parseScope(formatScope(['c', 'a', 'b'])), ['a', 'b', 'c']);
  });
});

describe('isScopeSubset', () => {
  it('holds when every requested scope is allowed', () => {
    assert.equal(isScopeSubset(['read'], ['read', 'write']), true);
    assert.equal(isScopeSubset([], ['read']), true);
    assert.equal(isScopeSubset(['read', 'write'], ['write', 'read']), true);
  });

  it('fails when any requested scope is not allowed', () => {
    assert.equal(isScopeSubset(['read', 'admin'], ['read', 'write']), false);
    assert.equal(isScopeSubset(['read'], []), false);
    assert.equal(isScopeSubset(['Read'], ['read']), false);
  });
});
