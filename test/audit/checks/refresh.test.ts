/**
 * The refresh token checks, RT-01..07, against the audit target: correct (in its legitimate
 * forms), and with the one flaw each check must catch, every other RT check keeping its verdict.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuditReport, audit } from '../../../src/audit/index.js';
import { assertStatus } from '../audit-support.js';
import { startAuditTarget } from '../targets/audit-target.js';
import type { Flaw } from '../targets/flaws.js';
import { AreaCases, type FlawCase } from './area-cases.js';

const cases = new AreaCases('RT', {
  plain: { audit: { login: true } },
  // RFC 8707 lets a refresh that names a foreign resource be answered with tokens for the authorized one.
  resourceIgnored: { target: { tokenResourceIgnored: true }, audit: { login: true } },
});

const CORRECT: Readonly<Record<string, RegExp>> = {
  'RT-01': /returned a new refresh token/,
  'RT-02': /reuse was refused \(400 invalid_grant\) and the newest refresh token stopped working \(400 invalid_grant\), and so did its access token/,
  'RT-03': /another client .* was refused with 400 invalid_grant; its own client then got 200 with an access token: so the token was good/,
  'RT-04': /asking for "portcullis-audit-widened" on top of the granted "mcp:tools" was refused with 400 invalid_scope/,
  'RT-05': /-sibling\) was refused with 400 invalid_target/,
  'RT-06': /a revoked refresh token and a made-up one were both answered 400 invalid_grant/,
  'RT-07': /exactly one of two concurrent refreshes got tokens/,
};

const FLAWS: readonly FlawCase[] = [
  // Without rotation there is no rotated-out token to reuse (RT-02), and two concurrent refreshes both succeed (RT-07).
  {
    flaw: 'refresh-not-rotated',
    check: 'RT-01',
    status: 'fail',
    severity: 'high',
    summary: /same refresh token to a public client/,
    alsoChanges: { 'RT-02': 'na', 'RT-07': 'warn' },
  },
  { flaw: 'refresh-reuse-not-detected', check: 'RT-02', status: 'fail', severity: 'medium', summary: /newest refresh token still refreshes/ },
  { flaw: 'refresh-client-unbound', check: 'RT-03', status: 'fail', severity: 'critical', summary: /another client refreshing .* was accepted/ },
  { flaw: 'refresh-scope-widening', check: 'RT-04', status: 'fail', severity: 'high', summary: /was granted \(200 with an access token, scope includes it\)/ },
  { flaw: 'refresh-foreign-resource', check: 'RT-05', status: 'fail', severity: 'medium', summary: /it is for the foreign resource/ },
  {
    flaw: 'refresh-error-500',
    check: 'RT-06',
    status: 'fail',
    severity: 'low',
    summary: /revoked refresh token was answered 500 server_error, not 400 invalid_grant/,
  },
  // RT-07 never fails (info): both winning is reported.
  { flaw: 'refresh-not-atomic', check: 'RT-07', status: 'warn', summary: /both of two concurrent refreshes .* got tokens/ },
];

/** Audits RT with a confidential client registered beforehand (`--client-id` and a secret). */
async function auditAsConfidentialClient(flaws: readonly Flaw[]): Promise<AuditReport> {
  const target = await startAuditTarget(flaws);
  try {
    const client = { clientId: 'confidential-audit', clientSecret: 'a-long-enough-client-secret-for-tests', redirectUris: ['http://127.0.0.1/callback'] };
    target.state.clients.set(client.clientId, { ...client, registrationAccessToken: 'unused' });
    return await audit({
      target: target.url,
      login: true,
      only: ['RT-01'],
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: client.redirectUris[0]!,
    });
  } finally {
    await target.close();
  }
}

describe('RT-01..07: refresh tokens, logged in', () => {
  it('pass on the correct target', async () => {
    const report = await cases.baseline();
    for (const [id, summary] of Object.entries(CORRECT)) assert.match(assertStatus(report, id, 'pass').summary, summary);
  });

  it('pass RT-05 on a server that ignores a foreign resource on refresh and issues for the authorized one', async () => {
    const report = await cases.baseline('resourceIgnored');
    assert.match(assertStatus(report, 'RT-05', 'pass').summary, /not refused, but the access token issued works at the MCP URL/);
  });

  it('pass RT-01 for a confidential client whose refresh token does not rotate (OAuth 2.1 allows it)', async () => {
    const report = await auditAsConfidentialClient(['refresh-not-rotated']);
    assert.match(assertStatus(report, 'RT-01', 'pass').summary, /same refresh token, which OAuth 2.1 allows for a confidential client/);
  });

  for (const testCase of FLAWS) {
    it(`${testCase.check} ${testCase.status === 'warn' ? 'warns' : 'fails'} on ${testCase.flaw}, and no other RT check changes`, () =>
      cases.assertCase(testCase));
  }
});
