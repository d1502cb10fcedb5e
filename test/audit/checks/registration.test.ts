import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { outcomeOf, registeredWith } from '../../../src/audit/checks/registration/registration-probe.js';
import type { ProbeResponse } from '../../../src/audit/guarded-fetch.js';
import type { AuditReport, Severity, Status } from '../../../src/audit/index.js';
import type { Registration } from '../../../src/audit/registration.js';
import { assertStatus, auditTarget, checkOf } from '../audit-support.js';
import type { Flaw } from '../targets/flaws.js';

const REG = ['REG-01', 'REG-02', 'REG-03', 'REG-04', 'REG-05', 'REG-06', 'REG-07', 'REG-08'];

const statusesOf = (report: AuditReport): Map<string, Status> => new Map(REG.map((id) => [id, checkOf(report, id).status]));

/** Asserts every REG check but `except` has the status it had on the correct target. */
function assertOthersUnchanged(report: AuditReport, correct: ReadonlyMap<string, Status>, except: string): void {
  for (const [id, status] of statusesOf(report)) if (id !== except) assert.equal(status, correct.get(id), `${id} changed: ${checkOf(report, id).summary}`);
}

/** A registration as register() returns it, for the pure rules. */
function registration(status: number, body: Record<string, unknown>): Registration {
  const response = { status, json: () => body } as unknown as ProbeResponse;
  const clientId = status < 300 && typeof body['client_id'] === 'string' ? body['client_id'] : undefined;
  return { response, body, clientId, clientSecret: undefined, manageable: false, remove: async () => undefined };
}

describe('REG checks (dynamic client registration)', () => {
  let correct: Map<string, Status>;
  before(async () => {
    const { report } = await auditTarget([], { only: ['REG'] });
    correct = statusesOf(report);
  });

  it('pass on the correct target; REG-02 reports an https redirect on any host as info, not a failure', async () => {
    const { report, target } = await auditTarget([], { only: ['REG'] });
    for (const id of ['REG-01', 'REG-02', 'REG-03', 'REG-04', 'REG-05', 'REG-07']) assertStatus(report, id, 'pass');
    assert.match(checkOf(report, 'REG-02').summary, /https redirect URI on any host .* is accepted.*AZ-13/);
    assert.match(checkOf(report, 'REG-06').summary, /--probe-rate-limit/);
    assertStatus(report, 'REG-06', 'na');
    assert.match(checkOf(report, 'REG-07').summary, /RFC 7592 management came back.*\(this check's client: 204\)/);
    assertStatus(report, 'REG-08', 'na');
    assert.equal(target.state.clients.size, 0, 'every client the auditor registered was deleted (RFC 7592)');
    const json = JSON.stringify(report);
    for (const secret of target.state.issuedSecrets) assert.ok(!json.includes(secret), 'no registration token in the report');
  });

  const failures: { flaw: Flaw; id: string; status: Status; summary: RegExp; severity?: Severity }[] = [
    { flaw: 'dcr-accepts-javascript-redirect', id: 'REG-01', status: 'fail', summary: /registered with a javascript: redirect URI/, severity: 'critical' },
    { flaw: 'dcr-checks-first-redirect-only', id: 'REG-01', status: 'fail', summary: /javascript: redirect URI after a good one/, severity: 'critical' },
    { flaw: 'dcr-accepts-http-redirect', id: 'REG-02', status: 'fail', summary: /plain-http redirect URI/, severity: 'high' },
    { flaw: 'dcr-accepts-empty-redirects', id: 'REG-03', status: 'fail', summary: /an empty redirect_uris and with no redirect_uris/, severity: 'medium' },
    { flaw: 'dcr-static-client', id: 'REG-04', status: 'fail', summary: /same client_id/, severity: 'high' },
    { flaw: 'dcr-accepts-implicit', id: 'REG-05', status: 'fail', summary: /implicit in grant_types and with token in response_types/, severity: 'medium' },
    // Info: refusing a client without application_type is worth knowing, never a failure.
    { flaw: 'dcr-requires-application-type', id: 'REG-07', status: 'warn', summary: /without application_type was refused/ },
    { flaw: 'dcr-no-management', id: 'REG-07', status: 'pass', summary: /no RFC 7592 management came back/ },
    // Opt-in: without --probe-rate-limit nothing is sent, so nothing changes (the burst is tested below).
    { flaw: 'dcr-no-rate-limit', id: 'REG-06', status: 'na', summary: /--probe-rate-limit/ },
  ];
  for (const { flaw, id, status, summary, severity } of failures) {
    it(`${id} is ${status} on a target with ${flaw}, and no other REG check changes`, async () => {
      const { report } = await auditTarget([flaw], { only: ['REG'] });
      const check = assertStatus(report, id, status);
      assert.match(check.summary, summary);
      if (severity !== undefined) assert.equal(check.severity, severity);
      assertOthersUnchanged(report, correct, id);
    });
  }

  it('REG-06 with --probe-rate-limit: a 429 within the burst passes, and Access-Control-Allow-Origin: * is info', async () => {
    const { report } = await auditTarget([], { only: ['REG-06'], probeRateLimit: true });
    const check = assertStatus(report, 'REG-06', 'pass');
    assert.match(check.summary, /answered 429, with Retry-After/);
    assert.match(check.summary, /Access-Control-Allow-Origin: \* \(info/);
    const registrations = check.evidence.requests.filter((request) => request.method === 'POST' && request.url.endsWith('/register'));
    assert.ok(registrations.length <= 21, 'the burst is at most 20 registrations (and the baseline)');
  });

  it('REG-06 with --probe-rate-limit fails Low when 20 registrations in a row are all accepted', async () => {
    const { report } = await auditTarget(['dcr-no-rate-limit'], { only: ['REG-06'], probeRateLimit: true });
    const check = assertStatus(report, 'REG-06', 'fail');
    assert.equal(check.severity, 'low');
    assert.match(check.summary, /20 registrations in a row were all accepted/);
  });

  it('runs the burst of REG-06 last, so the checks that register after it are not refused for the allowance it spent', async () => {
    const { report } = await auditTarget([], { only: ['REG-06', 'REG-07'], probeRateLimit: true });
    assertStatus(report, 'REG-06', 'pass');
    assertStatus(report, 'REG-07', 'pass');
    assert.ok(
      report.checks.findIndex((check) => check.id === 'REG-06') < report.checks.findIndex((check) => check.id === 'REG-07'),
      'the report keeps the catalogue order',
    );
  });

  it('counts a client accepted with the bad value removed (RFC 7591 §3.2.1 lets the server replace it) as no client with it', () => {
    const sanitised = registration(201, { client_id: 'c1', redirect_uris: ['https://app.example/cb'] });
    assert.equal(registeredWith(sanitised, 'redirect_uris', 'javascript:alert(1)'), 'removed');
    const kept = registration(201, { client_id: 'c1', redirect_uris: ['javascript:alert(1)'] });
    assert.equal(registeredWith(kept, 'redirect_uris', 'javascript:alert(1)'), 'kept');
    // A response that does not say what was registered is taken at its word: the client was made as asked.
    assert.equal(registeredWith(registration(201, { client_id: 'c1' }), 'redirect_uris', 'javascript:alert(1)'), 'kept');
  });

  it('attributes only 4xx refusals to the changed field: 429 and 5xx are unattributable, an error page counts as a refusal', () => {
    assert.deepEqual(outcomeOf(registration(400, { error: 'invalid_redirect_uri' })), { kind: 'refused', status: 400, error: 'invalid_redirect_uri' });
    assert.deepEqual(outcomeOf(registration(400, {})), { kind: 'refused', status: 400, error: undefined });
    assert.equal(outcomeOf(registration(429, { error: 'temporarily_unavailable' })).kind, 'unattributable');
    assert.equal(outcomeOf(registration(500, {})).kind, 'unattributable');
    assert.equal(outcomeOf(registration(201, {})).kind, 'unattributable');
    assert.equal(outcomeOf(registration(201, { client_id: 'c1' })).kind, 'accepted');
  });
});
