/**
 * REV-01, logged in with a second client, against the audit target: correct, and with the one
 * flaw it must catch, every other REV check keeping its verdict. The unauthenticated REV checks
 * are in revocation.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertStatus } from '../audit-support.js';
import { AreaCases } from './area-cases.js';

const cases = new AreaCases('REV', { plain: { audit: { login: true } } });

describe('REV-01: a client cannot revoke another client’s tokens', () => {
  it('passes on the correct target: both tokens still work after the other client asked', async () => {
    const report = await cases.baseline();
    assert.match(assertStatus(report, 'REV-01', 'pass').summary, /another client asked to revoke .* \(answered 200, 200\); both still work/);
  });

  it('fails when any client may revoke any token, and no other REV check changes', () =>
    cases.assertCase({
      flaw: 'revoke-other-clients-token',
      check: 'REV-01',
      status: 'fail',
      severity: 'high',
      summary: /the access token stopped working \(401 invalid_token\), and the refresh token stopped refreshing \(400 invalid_grant\)/,
    }));

  it('is na when the authorization server has no revocation endpoint', async () => {
    const report = await cases.audit(['no-revocation-endpoint']);
    assert.match(assertStatus(report, 'REV-01', 'na').summary, /no revocation_endpoint/);
  });
});
