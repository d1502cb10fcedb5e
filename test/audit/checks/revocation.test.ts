import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AuditReport, Status } from '../../../src/audit/index.js';
import { assertStatus, auditTarget, checkOf } from '../audit-support.js';
import type { Flaw } from '../targets/flaws.js';

const REV = ['REV-01', 'REV-02', 'REV-03'];

const statusesOf = (report: AuditReport): Map<string, Status> => new Map(REV.map((id) => [id, checkOf(report, id).status]));

describe('REV checks (revocation and introspection)', () => {
  let correct: Map<string, Status>;
  before(async () => {
    const { report } = await auditTarget([], { only: ['REV'] });
    correct = statusesOf(report);
  });

  it('pass on the correct target; REV-02 says its logged-in part did not run, REV-01 needs a login', async () => {
    const { report } = await auditTarget([], { only: ['REV'] });
    assert.match(assertStatus(report, 'REV-02', 'pass').summary, /unknown token was answered 200; the logged-in part .* did not run: run with --login/);
    assert.match(
      assertStatus(report, 'REV-03', 'pass').summary,
      /no client credentials: 401 invalid_client; only a public client's client_id: 401 invalid_client/,
    );
    assert.match(assertStatus(report, 'REV-01', 'na').summary, /--login/);
  });

  const failures: { flaw: Flaw; id: string; summary: RegExp }[] = [
    { flaw: 'revoke-unknown-token-400', id: 'REV-02', summary: /unknown token was answered 400 invalid_request, not 200/ },
    { flaw: 'introspection-without-auth', id: 'REV-03', summary: /with no client credentials was answered 200: anyone can ask whether a token is live$/ },
    {
      flaw: 'introspection-for-public-clients',
      id: 'REV-03',
      summary:
        /only a public client's client_id was answered 200: anyone who names a public client can ask whether a token is live \(at least that client's tokens\)$/,
    },
  ];
  for (const { flaw, id, summary } of failures) {
    it(`${id} fails on a target with ${flaw}, and no other REV check changes`, async () => {
      const { report } = await auditTarget([flaw], { only: ['REV'] });
      const check = assertStatus(report, id, 'fail');
      assert.match(check.summary, summary);
      for (const [other, status] of statusesOf(report))
        if (other !== id) assert.equal(status, correct.get(other), `${other}: ${checkOf(report, other).summary}`);
    });
  }
});
