import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScopePolicy, policyReadsBody, scopesForMessage } from '../../src/resource/scope-policy.js';

/** Which scopes an MCP call needs (MCP Authorization, "Scope Challenge Handling"). */

const policy = parseScopePolicy({
  required: ['mcp'],
  methods: { 'resources/read': ['files:read'] },
  tools: { delete_note: ['notes:write'], purge: ['notes:write', 'admin'] },
});

const call = (name: unknown, id: unknown = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });

describe('scope policy', () => {
  it('needs `required` for every call, and adds method and tool scopes', () => {
    assert.deepEqual(scopesForMessage(policy, { jsonrpc: '2.0', id: 1, method: 'tools/list' }), ['mcp']);
    assert.deepEqual(scopesForMessage(policy, { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'x' } }), ['files:read', 'mcp']);
    assert.deepEqual(scopesForMessage(policy, call('delete_note')), ['mcp', 'notes:write']);
    assert.deepEqual(scopesForMessage(policy, call('list_notes')), ['mcp']);
  });

  it('takes the union over a batch', () => {
    assert.deepEqual(scopesForMessage(policy, [call('delete_note'), call('purge', 2), { jsonrpc: '2.0', id: 3, method: 'resources/read' }]), [
      'admin',
      'files:read',
      'mcp',
      'notes:write',
    ]);
  });

  it('needs only `required` for responses, malformed bodies and no body', () => {
    for (const body of [
      undefined,
      null,
      'text',
      42,
      [],
      {},
      { jsonrpc: '2.0', id: 1, result: {} },
      { method: 7 },
      call(42),
      { method: 'tools/call', params: 'x' },
    ]) {
      assert.deepEqual(scopesForMessage(policy, body), ['mcp'], JSON.stringify(body));
    }
  });

  it('never reaches Object.prototype through a method or tool name', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.deepEqual(scopesForMessage(policy, call(name)), ['mcp']);
      assert.deepEqual(scopesForMessage(policy, { jsonrpc: '2.0', id: 1, method: name }), ['mcp']);
    }
  });

  it('validates the config section', () => {
    assert.throws(() => parseScopePolicy({ required: ['two words'] }), TypeError);
    assert.throws(() => parseScopePolicy({ tools: { x: 'notes:write' } }), TypeError);
    assert.throws(() => parseScopePolicy({ extra: true }), TypeError);
    assert.deepEqual(parseScopePolicy(undefined), { required: [], methods: {}, tools: {} });
    assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.tools));
  });

  it('says whether the body matters', () => {
    assert.equal(policyReadsBody(policy), true);
    assert.equal(policyReadsBody(parseScopePolicy({ required: ['mcp'] })), false);
  });
});
