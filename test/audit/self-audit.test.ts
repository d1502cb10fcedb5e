/**
 * Portcullis audits itself clean (issue 13): `portcullis audit` against what `portcullis demo`
 * runs and against `serve --upstream` with its defaults reports no `fail`, no `inconclusive` and
 * no `error`. Where the auditor was right and Portcullis wrong, Portcullis was fixed (DISC-08:
 * the gateway now refuses a foreign Origin and Host on loopback).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type AuditReport, audit, auditExitCode } from '../../src/audit/index.js';
import { freePort, startTestGateway, type TestGateway } from '../support/gateway.js';

function problems(report: AuditReport): string[] {
  return report.checks
    .filter((check) => ['fail', 'inconclusive', 'error'].includes(check.status))
    .map((check) => `${check.id} ${check.status}: ${check.summary}`);
}

for (const [name, options] of [
  ['portcullis demo', { gateway: { challengeAllScopes: true } }],
  ['portcullis serve --upstream (its defaults)', { defaults: true }],
] as const) {
  describe(`portcullis audit of ${name}`, () => {
    // A gateway per audit: registration is rate-limited per address (20 an hour), and one audit
    // registers a client for each check that needs one of its own.
    let gateway: TestGateway;
    beforeEach(async () => {
      gateway = await startTestGateway(options);
    });
    afterEach(() => gateway.close());

    it('finds nothing without a login: no fail, no inconclusive, no error, exit code 0', async () => {
      const report = await audit({ target: gateway.mcpUrl });
      assert.deepEqual(problems(report), []);
      assert.equal(report.incomplete, false);
      assert.ok(report.summary.pass >= 3, `checks ran: ${JSON.stringify(report.summary)}`);
      assert.equal(auditExitCode(report, 'low', new Set()), 0);
    });

    it('finds nothing logged in either (--login, the built-in browser signing in as a local user)', async () => {
      await gateway.addUser('auditor', 'a long audit password');
      const report = await audit({ target: gateway.mcpUrl, login: true, username: 'auditor', password: 'a long audit password' });
      assert.deepEqual(problems(report), []);
      assert.equal(report.mode, 'logged-in');
      assert.equal(report.incomplete, false, report.incompleteReason);
      assert.equal(report.checks.find((check) => check.id === 'TOK-01')?.status, 'pass');
      assert.ok(!JSON.stringify(report).includes('a long audit password'), 'the password never appears in the report');
    });
  });
}

describe('portcullis audit --public-url of a server that takes Client ID Metadata Documents', () => {
  it('passes REG-08, --slow included: every changed document refused, a never-ending one given up on', async () => {
    // The documents are served on loopback, which Portcullis fetches only with its dangerous switch (tests only).
    const gateway = await startTestGateway({ settings: { clientMetadataDocuments: { enabled: true, dangerouslyAllowLoopback: true } } });
    try {
      const report = await audit({ target: gateway.mcpUrl, only: ['REG-08'], slow: true, publicUrl: `http://127.0.0.1:${await freePort()}` });
      const check = report.checks.find((candidate) => candidate.id === 'REG-08');
      assert.equal(check?.status, 'pass', check?.summary);
      assert.match(check.summary, /a document that never ends: an error page \(400\) after/);
    } finally {
      await gateway.close();
    }
  });
});
