/**
 * DISC-01 (the 401 that starts discovery) and the logged-in baseline, TOK-01 and TOK-02, against
 * the audit target: correct, and with the one flaw each check must catch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditExitCode } from '../../../src/audit/index.js';
import { assertStatus, auditTarget } from '../audit-support.js';

describe('DISC-01, TOK-01, TOK-02', () => {
  it('pass on the correct target: a 401 without a token, and the compliant flow, logged in', async () => {
    const { report } = await auditTarget([], { login: true, only: ['DISC-01', 'TOK-01', 'TOK-02'] });
    assertStatus(report, 'DISC-01', 'pass');
    assert.match(assertStatus(report, 'TOK-01', 'pass').summary, /access token and a refresh token/);
    assertStatus(report, 'TOK-02', 'pass');
    assert.equal(report.incomplete, false);
  });

  it('DISC-01 fails on a 403 to a request without a token', async () => {
    const { report } = await auditTarget(['no-token-forbidden'], { only: ['DISC-01'] });
    assert.match(assertStatus(report, 'DISC-01', 'fail').summary, /answered 403, not 401/);
  });

  it('TOK-01 fails when the code cannot be redeemed, and the audit is then incomplete (exit 3), the checks after it not reached', async () => {
    const { report } = await auditTarget(['code-grant-broken'], { login: true, only: ['TOK-01', 'TOK-02'] });
    assert.match(assertStatus(report, 'TOK-01', 'fail').summary, /compliant flow failed/);
    assert.match(assertStatus(report, 'TOK-02', 'na').summary, /not reached/);
    assert.equal(report.incomplete, true);
    assert.equal(auditExitCode(report, 'high', new Set()), 3);
  });

  it('TOK-02 fails on a token response that may be cached', async () => {
    const { report } = await auditTarget(['token-response-cacheable'], { login: true, only: ['TOK-01', 'TOK-02'] });
    assertStatus(report, 'TOK-01', 'pass');
    assert.match(assertStatus(report, 'TOK-02', 'fail').summary, /no Cache-Control: no-store/);
  });
});
