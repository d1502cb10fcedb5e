import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChallenge, parseChallenge } from '../../src/core/www-authenticate.js';

describe('buildChallenge (RFC 9110 §11.2, RFC 6750 §3)', () => {
  it('writes quoted parameters in order', () => {
    assert.equal(
      buildChallenge('Bearer', { error: 'invalid_token', resource_metadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp' }),
      'Bearer error="invalid_token", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('leaves out undefined parameters, and writes the bare scheme when none remain', () => {
    assert.equal(buildChallenge('Bearer', { realm: 'mcp', error: undefined }), 'Bearer realm="mcp"');
    assert.equal(buildChallenge('Bearer', { error: undefined }), 'Bearer');
    assert.equal(buildChallenge('Bearer', {}), 'Bearer');
  });

  it('escapes quotes and backslashes', () => {
    assert.equal(buildChallenge('Bearer', { error_description: 'say "hi" \\o/' }), 'Bearer error_description="say \\"hi\\" \\\\o/"');
  });
});

describe('parseChallenge', () => {
  it('round-trips values with quotes, backslashes, commas, equals signs and spaces', () => {
    const params = {
      error: 'invalid_token',
      error_description: 'the "token" is \\ bad, really = bad',
      scope: 'read write',
      trailing_backslash: 'ends with \\',
      empty: '',
    };
    assert.deepEqual(parseChallenge(buildChallenge('Bearer', params)), params);
  });

  it('returns null when there is no challenge for the scheme', () => {
    assert.equal(parseChallenge('Basic realm="x"'), null);
    assert.equal(parseChallenge(''), null);
    assert.equal(parseChallenge('Bearerish realm="x"'), null);
  });

  it('does not take a quoted value for the scheme', () => {
    assert.equal(parseChallenge('Basic realm="Bearer"'), null);
  });

  it('returns no parameters for a bare scheme', () => {
    assert.deepEqual(parseChallenge('Bearer'), {});
  });

  it('matches the scheme case-insensitively and lower-cases parameter names', () => {
    assert.deepEqual(parseChallenge('bearer Error="invalid_token", Realm="mcp"'), { error: 'invalid_token', realm: 'mcp' });
  });

  it('reads token (unquoted) values', () => {
    assert.deepEqual(parseChallenge('Bearer error=invalid_token, realm="mcp"'), { error: 'invalid_token', realm: 'mcp' });
  });

  it('finds the Bearer challenge after another challenge', () => {
    const header = `Basic realm="legacy, old", ${buildChallenge('Bearer', { error: 'insufficient_scope', scope: 'a "b"' })}`;
    assert.deepEqual(parseChallenge(header), { error: 'insufficient_scope', scope: 'a "b"' });
  });

  it('stops at the end of the Bearer challenge when another one follows', () => {
    const header = `${buildChallenge('Bearer', { realm: 'mcp', error: 'invalid_token' })}, Basic realm="other"`;
    assert.deepEqual(parseChallenge(header), { realm: 'mcp', error: 'invalid_token' });
  });

  it('parses another scheme when asked', () => {
    const header = `${buildChallenge('Bearer', { realm: 'a' })}, ${buildChallenge('DPoP', { algs: 'ES256 EdDSA', realm: 'b' })}`;
    assert.deepEqual(parseChallenge(header, 'DPoP'), { algs: 'ES256 EdDSA', realm: 'b' });
    assert.deepEqual(parseChallenge(header, 'Bearer'), { realm: 'a' });
  });
});
