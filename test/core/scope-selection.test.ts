/**
 * MCP Authorization (2026-07-28) "Scope Selection Strategy", the rule: the scope asked for, else
 * the server's 401 challenge, else the resource's `scopes_supported`, else the fallback; what the
 * caller adds on top; `offline_access` only where the authorization server lists it (SEP-2207).
 * What `start()` sends is in test/client/authorization.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectAuthorizationScope } from '../../src/core/scope-selection.js';

describe('selectAuthorizationScope', () => {
  const base = { wantsRefreshToken: true };
  it('takes the asked scope, else the challenge, else scopes_supported, else the fallback', () => {
    assert.deepEqual(selectAuthorizationScope({ ...base, asked: 'a', challenge: 'b', resourceScopesSupported: ['c'], fallback: 'd' }), ['a']);
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b', resourceScopesSupported: ['c'], fallback: 'd' }), ['b']);
    assert.deepEqual(selectAuthorizationScope({ ...base, resourceScopesSupported: ['c', 'e'], fallback: 'd' }), ['c', 'e']);
    assert.deepEqual(selectAuthorizationScope({ ...base, fallback: 'd' }), ['d']);
    assert.deepEqual(selectAuthorizationScope(base), []);
  });
  it('keeps what is granted and adds the extra scope', () => {
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b', granted: ['a'], extra: 'x b' }), ['a', 'b', 'x']);
  });
  it('adds offline_access only when the authorization server lists it and refresh tokens are wanted; drops it when the server lists scopes without it', () => {
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b', authorizationServerScopesSupported: ['b', 'offline_access'] }), [
      'b',
      'offline_access',
    ]);
    assert.deepEqual(selectAuthorizationScope({ wantsRefreshToken: false, challenge: 'b', authorizationServerScopesSupported: ['b', 'offline_access'] }), [
      'b',
    ]);
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b offline_access', authorizationServerScopesSupported: ['b'] }), ['b']);
    assert.deepEqual(
      selectAuthorizationScope({ ...base, challenge: 'b offline_access' }),
      ['b', 'offline_access'],
      'no list: nothing is known to be unsupported',
    );
  });
});
