import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretField, redactSecrets, redactValue } from '../../src/core/redact.js';

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

describe('redactValue', () => {
  it('keeps four characters at each end and the length, never the middle', () => {
    const token = 'abcdEFGHijklMNOPqrstUVWXyz0123456789-_ABCDE';
    assert.equal(redactValue(token), 'abcd…BCDE (len=43)');
    assert.ok(!redactValue(token).includes('EFGH'));
  });

  it('gives only the length of a short value', () => {
    assert.equal(redactValue('hunter2'), '… (len=7)');
    assert.equal(redactValue(''), '… (len=0)');
  });
});

describe('isSecretField', () => {
  it('knows the names of secrets, whatever their case, and nothing else', () => {
    for (const name of ['code', 'Authorization', 'SET-COOKIE', 'refresh_token', 'client_secret']) assert.equal(isSecretField(name), true, name);
    for (const name of ['code_challenge', 'client_id', 'token_type', 'expires_in', 'scope']) assert.equal(isSecretField(name), false, name);
  });
});
