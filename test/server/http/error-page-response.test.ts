import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import { errorPageResponse, thrownErrorPageResponse } from '../../../src/server/http/error-page-response.js';

test('an error page is HTML with the page headers, its status, title, message and code', async () => {
  const page = errorPageResponse(403, 'This form has expired', 'Start again.', 'invalid_request');
  assert.equal(page.status, 403);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  const html = await page.text();
  for (const part of ['This form has expired', 'Start again.', 'invalid_request']) assert.ok(html.includes(part), part);
});

test('a page for a thrown error keeps a server failure status and answers 400 to anything else', () => {
  const statusFor = (error: OAuthError) => thrownErrorPageResponse(error, 'Something went wrong').status;
  assert.equal(statusFor(new OAuthError('server_error', 'x')), 500);
  assert.equal(statusFor(new OAuthError('temporarily_unavailable', 'x')), 503);
  assert.equal(statusFor(new OAuthError('invalid_request', 'x')), 400);
  assert.equal(statusFor(new OAuthError('access_denied', 'x')), 400);
  assert.equal(statusFor(new OAuthError('invalid_request', 'too large', { status: 413 })), 400);
  assert.equal(statusFor(new OAuthError('temporarily_unavailable', 'slow down', { status: 429 })), 400);
});

test('a page for a thrown error shows its public description and code, never its detail', async () => {
  const html = await thrownErrorPageResponse(
    new OAuthError('invalid_scope', 'Unknown scope.', { detail: 'private-detail' }),
    'This sign-in request cannot continue',
  ).text();
  assert.ok(html.includes('Unknown scope.'));
  assert.ok(html.includes('invalid_scope'));
  assert.ok(!html.includes('private-detail'));
});
