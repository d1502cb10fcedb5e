import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecrets } from '../../src/core/redact.js';

describe('redactSecrets', () => {
  it('replaces every secret field', () => {
    const secrets = [
      'code',
      'code_verifier',
      'refresh_token',
      'access_token',
      'token',
      'client_secret',
      'password',
      'id_token',
      'authorization',
      'cookie',
      'set-cookie',
      'csrf_token',
      'state',
    ];
    const record = Object.fromEntries(secrets.map((key) => [key, `value-of-${key}`]));
    const redacted = redactSecrets(record);
    for (const key of secrets) assert.equal(redacted[key], '[redacted]', key);
    assert.ok(!JSON.stringify(redacted).includes('value-of-'));
  });

  it('matches names case-insensitively', () => {
    assert.deepEqual(redactSecrets({ Authorization: 'Bearer abc', COOKIE: 'sid=1', Set_Cookie: 'x' }), {
      Authorization: '[redacted]',
      COOKIE: '[redacted]',
      Set_Cookie: 'x',
    });
  });

  it('keeps fields that are not secrets, including ones with similar names', () => {
    const record = {
      client_id: 'c1',
      grant_type: 'refresh_token',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuSGqtAsbDs',
      token_type_hint: 'refresh_token',
      scope: 'read',
      status: 400,
      nested: { a: 1 },
    };
    assert.deepEqual(redactSecrets(record), record);
  });

  it('does not change its input', () => {
    const record = { password: 'hunter2', username: 'ada' };
    const redacted = redactSecrets(record);
    assert.deepEqual(record, { password: 'hunter2', username: 'ada' });
    assert.deepEqual(redacted, { password: '[redacted]', username: 'ada' });
  });
});
