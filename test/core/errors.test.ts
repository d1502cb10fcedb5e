import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthorizationError, OAuthError, type OAuthErrorCode, toOAuthError } from '../../src/core/errors.js';

describe('OAuthError', () => {
  it('has the status fixed by its code', () => {
    const expected: [OAuthErrorCode, number][] = [
      ['invalid_request', 400],
      ['invalid_client', 401],
      ['invalid_grant', 400],
      ['unauthorized_client', 400],
      ['unsupported_grant_type', 400],
      ['unsupported_response_type', 400],
      ['unsupported_token_type', 400],
      ['invalid_scope', 400],
      ['invalid_target', 400],
      ['access_denied', 403],
      ['server_error', 500],
      ['temporarily_unavailable', 503],
      ['invalid_redirect_uri', 400],
      ['invalid_client_metadata', 400],
      ['invalid_token', 401],
      ['insufficient_scope', 403],
      ['slow_down', 429],
    ];
    for (const [code, status] of expected) assert.equal(new OAuthError(code, 'x').status, status, code);
  });

  it('lets the status be overridden', () => {
    assert.equal(new OAuthError('invalid_client', 'x', { status: 400 }).status, 400);
  });

  it('serialises error and error_description only, never the private detail (RFC 6749 §5.2)', () => {
    const error = new OAuthError('invalid_grant', 'The code is invalid.', { detail: 'code hash abc123 replayed' });
    assert.deepEqual(error.toJSON(), { error: 'invalid_grant', error_description: 'The code is invalid.' });
    assert.ok(!JSON.stringify(error).includes('abc123'));
    assert.equal(error.detail, 'code hash abc123 replayed');
    assert.equal(error.code, 'invalid_grant');
    assert.equal(error.description, 'The code is invalid.');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'OAuthError');
  });
});

describe('AuthorizationError', () => {
  it('cannot be redirected unless given a validated redirect', () => {
    const error = new AuthorizationError('invalid_request', 'Unknown client.');
    assert.equal(error.redirect, undefined);
    assert.ok(error instanceof OAuthError);
    assert.equal(error.status, 400);
    assert.equal(error.name, 'AuthorizationError');
  });

  it('carries the redirect URI and state it may be sent to', () => {
    const error = new AuthorizationError(
      'access_denied',
      'The user denied the request.',
      { redirectUri: 'https://app.example.com/cb', state: 'xyz' },
      { detail: 'denied on consent page' },
    );
    assert.deepEqual(error.redirect, { redirectUri: 'https://app.example.com/cb', state: 'xyz' });
    assert.equal(error.detail, 'denied on consent page');
    assert.deepEqual(error.toJSON(), { error: 'access_denied', error_description: 'The user denied the request.' });
  });
});

describe('toOAuthError', () => {
  it('passes an OAuthError through unchanged', () => {
    const error = new AuthorizationError('invalid_scope', 'Unknown scope.');
    assert.equal(toOAuthError(error), error);
  });

  it('hides anything else behind a generic server_error, keeping the cause as private detail', () => {
    const wrapped = toOAuthError(new TypeError('cannot read properties of undefined (reading "secret_hash")'));
    assert.equal(wrapped.code, 'server_error');
    assert.equal(wrapped.status, 500);
    assert.ok(!wrapped.description.includes('secret_hash'));
    assert.ok(!JSON.stringify(wrapped.toJSON()).includes('secret_hash'));
    assert.match(wrapped.detail ?? '', /^TypeError: .*secret_hash/);
  });

  it('handles thrown non-errors', () => {
    const wrapped = toOAuthError('a string');
    assert.equal(wrapped.code, 'server_error');
    assert.equal(wrapped.detail, 'a string');
    assert.equal(toOAuthError(undefined).code, 'server_error');
  });
});
