import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type AuditOptions, type AuditReport, audit, type Severity, type Status } from '../../../src/audit/index.js';
import { assertStatus, auditTarget, checkOf } from '../audit-support.js';
import { startAuditTarget } from '../targets/audit-target.js';
import type { Flaw } from '../targets/flaws.js';

/** The token-endpoint checks that need no login. */
const TOK_U = ['TOK-13', 'TOK-14'];

const statusesOf = (report: AuditReport): Map<string, Status> => new Map(TOK_U.map((id) => [id, checkOf(report, id).status]));

/** Audits a target that knows a pre-registered confidential client, given to the auditor as --client-id and --client-secret-stdin. */
async function auditWithGivenClient(options: Omit<AuditOptions, 'target'>): Promise<AuditReport> {
  const target = await startAuditTarget();
  const clientSecret = 'pre-registered-secret-with-enough-entropy';
  target.state.clients.set('given-client', {
    clientId: 'given-client',
    clientSecret,
    redirectUris: ['http://127.0.0.1/callback'],
    registrationAccessToken: 'not-used-here',
  });
  try {
    return await audit({ ...options, target: target.url, clientId: 'given-client', clientSecret, redirectUri: 'http://127.0.0.1/callback' });
  } finally {
    await target.close();
  }
}

describe('TOK-13 and TOK-14 (the token endpoint, without a login)', () => {
  let correct: Map<string, Status>;
  before(async () => {
    const { report } = await auditTarget([], { only: TOK_U });
    correct = statusesOf(report);
  });

  it('pass on the correct target: unknown clients and a wrong secret get invalid_client, every error is JSON 400 with a registered code', async () => {
    const { report, target } = await auditTarget([], { only: TOK_U });
    const tok13 = assertStatus(report, 'TOK-13', 'pass');
    assert.match(tok13.summary, /an unknown client_id in the form: 401 invalid_client/);
    assert.match(tok13.summary, /a wrong client secret: 401 invalid_client/);
    assert.match(tok13.summary, /own client got 400 invalid_grant/);
    assert.match(assertStatus(report, 'TOK-14', 'pass').summary, /400 invalid_request.*400 unsupported_grant_type.*400 invalid_grant/);
    const json = JSON.stringify(report);
    for (const secret of target.state.issuedSecrets) assert.ok(!json.includes(secret), 'no client secret in the report');
    assert.doesNotMatch(json, /"authorization":"Basic [A-Za-z0-9+/=]{20,}"/, 'HTTP Basic credentials are redacted');
  });

  it('pass with a pre-registered confidential client (HTTP Basic): its wrong secret is tried, no client is registered', async () => {
    const report = await auditWithGivenClient({ only: TOK_U });
    assert.match(assertStatus(report, 'TOK-13', 'pass').summary, /a wrong client secret: 401 invalid_client/);
    assertStatus(report, 'TOK-14', 'pass');
    const registrations = checkOf(report, 'TOK-13').evidence.requests.filter((request) => request.url.endsWith('/register'));
    assert.equal(registrations.length, 0);
  });

  const failures: { flaw: Flaw; id: string; severity: Severity; summary: RegExp }[] = [
    { flaw: 'token-checks-grant-first', id: 'TOK-13', severity: 'high', summary: /unknown client_id in the form was answered invalid_grant/ },
    { flaw: 'token-secret-not-checked', id: 'TOK-13', severity: 'high', summary: /wrong client secret was answered invalid_grant/ },
    { flaw: 'token-basic-error-400', id: 'TOK-13', severity: 'low', summary: /HTTP Basic was answered 400 invalid_client, not 401/ },
    { flaw: 'token-error-200', id: 'TOK-14', severity: 'low', summary: /unsupported grant_type was answered 200 with error unsupported_grant_type/ },
    { flaw: 'token-error-description-crlf', id: 'TOK-14', severity: 'low', summary: /CR, LF or TAB in its error_description/ },
    { flaw: 'token-error-not-json', id: 'TOK-14', severity: 'low', summary: /not JSON/ },
  ];
  for (const { flaw, id, severity, summary } of failures) {
    it(`${id} fails (${severity}) on a target with ${flaw}, and the other check keeps its verdict`, async () => {
      const { report } = await auditTarget([flaw], { only: TOK_U });
      const check = assertStatus(report, id, 'fail');
      assert.equal(check.severity, severity);
      assert.match(check.summary, summary);
      for (const other of TOK_U.filter((candidate) => candidate !== id))
        assert.equal(checkOf(report, other).status, correct.get(other), checkOf(report, other).summary);
    });
  }
});
