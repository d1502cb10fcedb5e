/** The authorization error as a redirect (RFC 6749 §4.1.2.1, with `iss` of RFC 9207) or as a page. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthorizationError, OAuthError } from '../../../src/core/errors.js';
import type { ServerContext } from '../../../src/server/context.js';
import { authorizationErrorRedirect, authorizationErrorResponse } from '../../../src/server/http/authorization-error-response.js';
import { silentLogger } from '../../../src/server/logger.js';

const ISSUER = 'https://as.example.com';
// What the renderers read of the context: the issuer (for `iss`) and the logger.
const ctx = { config: { issuer: ISSUER }, logger: silentLogger } as unknown as ServerContext;
const redirect = { redirectUri: 'https://client.example/cb?keep=1', state: 'st-1' };

test('a redirected error carries error, error_description, state and iss, and keeps the query of the redirect URI', () => {
  const response = authorizationErrorRedirect(ctx, redirect, 'access_denied', 'The user denied the request.');
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const location = new URL(response.headers.get('location')!);
  assert.equal(`${location.origin}${location.pathname}`, 'https://client.example/cb');
  assert.deepEqual(Object.fromEntries(location.searchParams), {
    keep: '1',
    error: 'access_denied',
    error_description: 'The user denied the request.',
    state: 'st-1',
    iss: ISSUER,
  });
});

test('without a state, none is sent', () => {
  const location = new URL(
    authorizationErrorRedirect(ctx, { redirectUri: 'https://client.example/cb', state: undefined }, 'invalid_scope', 'x').headers.get('location')!,
  );
  assert.equal(location.searchParams.has('state'), false);
  assert.equal(location.searchParams.get('iss'), ISSUER);
});

test('the authorization endpoint redirects (302) an error with a validated redirect', () => {
  const response = authorizationErrorResponse(ctx, new AuthorizationError('invalid_scope', 'Unknown scope.', redirect));
  assert.equal(response.status, 302);
  assert.equal(new URL(response.headers.get('location')!).searchParams.get('error'), 'invalid_scope');
});

test('an error without a validated redirect, or anything else thrown, is a page and never a redirect', () => {
  for (const [error, status] of [
    [new AuthorizationError('invalid_request', 'Unknown client.'), 400],
    [new OAuthError('invalid_request', 'Repeated parameter.'), 400],
    [new Error('database down'), 500],
  ] as const) {
    const response = authorizationErrorResponse(ctx, error);
    assert.equal(response.status, status);
    assert.equal(response.headers.get('location'), null);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  }
});
