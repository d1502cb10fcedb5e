import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyring } from '../../src/core/seal.js';
import { createSessionBinding, sessionNotFoundResponse } from '../../src/resource/session-binding.js';

const keyring = createKeyring(['session-binding-test-secret-0123456789abcdef']);
const binding = createSessionBinding(keyring);
const alice = { subject: 'alice', clientId: 'client-a' };
const upstreamSessionId = '5f0c2a7e-1d3b-4c9a-9e2f-0b6d8f1a2c3e';

describe('session binding', () => {
  it('round-trips for the user and client that opened the session, in visible ASCII', () => {
    const bound = binding.bindSessionId(upstreamSessionId, alice);
    assert.match(bound, /^[\x21-\x7e]+$/);
    assert.ok(bound.startsWith(`${upstreamSessionId}.`));
    assert.equal(binding.unbindSessionId(bound, alice), upstreamSessionId);
  });

  it('keeps an upstream session id that itself contains dots', () => {
    const bound = binding.bindSessionId('a.b.c', alice);
    assert.equal(binding.unbindSessionId(bound, alice), 'a.b.c');
  });

  it('refuses the session for another user, and for another client of the same user', () => {
    const bound = binding.bindSessionId(upstreamSessionId, alice);
    assert.equal(binding.unbindSessionId(bound, { subject: 'mallory', clientId: 'client-a' }), null);
    assert.equal(binding.unbindSessionId(bound, { subject: 'alice', clientId: 'client-m' }), null);
  });

  it('does not confuse fields whatever characters they hold', () => {
    const bound = binding.bindSessionId('s', { subject: 'a', clientId: 'b\nc' });
    assert.equal(binding.unbindSessionId(bound, { subject: 'a\nb', clientId: 'c' }), null);
  });

  it('refuses a tampered MAC (every character, including the last one whose spare bits decode alike) and another session id', () => {
    const bound = binding.bindSessionId(upstreamSessionId, alice);
    const dot = bound.lastIndexOf('.');
    for (let i = dot + 1; i < bound.length; i++) {
      for (const replacement of ['A', 'B', 'w', '-']) {
        if (bound[i] === replacement) continue;
        assert.equal(binding.unbindSessionId(bound.slice(0, i) + replacement + bound.slice(i + 1), alice), null, `position ${i}`);
      }
    }
    assert.equal(binding.unbindSessionId(`other-session${bound.slice(dot)}`, alice), null);
  });

  it('refuses malformed ids: unbound, empty parts, wrong MAC length, non-ASCII, a key from another secret', () => {
    const bound = binding.bindSessionId(upstreamSessionId, alice);
    for (const id of [
      upstreamSessionId,
      '',
      '.',
      `.${bound.split('.').pop()}`,
      `${upstreamSessionId}.`,
      `${bound}A`,
      bound.slice(0, -1),
      `${bound} `,
      `é${bound}`,
    ]) {
      assert.equal(binding.unbindSessionId(id, alice), null, JSON.stringify(id));
    }
    const otherKeyring = createSessionBinding(createKeyring(['another-master-secret-0123456789abcdefghij']));
    assert.equal(otherKeyring.unbindSessionId(bound, alice), null);
  });

  it('refuses to bind an upstream session id outside visible ASCII', () => {
    assert.throws(() => binding.bindSessionId('has space', alice), TypeError);
    assert.throws(() => binding.bindSessionId('', alice), TypeError);
  });

  it('answers a refused session exactly like the MCP SDK answers an unknown one', async () => {
    const response = sessionNotFoundResponse();
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
  });
});
