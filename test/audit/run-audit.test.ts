import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AuditUsageError, audit, auditExitCode, CATALOGUE } from '../../src/audit/index.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import { auditTarget, checkOf } from './audit-support.js';
import { startAuditTarget } from './targets/audit-target.js';

/** A server that answers every request 200 with an MCP-looking body: a server with no authorization. */
async function startPublicServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => closeHttpServer(server) };
}

describe('audit()', () => {
  it('reports every check of the catalogue, once, in its order, with the report fields the contract names', async () => {
    const { report } = await auditTarget();
    assert.deepEqual(
      report.checks.map((check) => check.id),
      CATALOGUE.map((check) => check.id),
    );
    assert.equal(report.tool, 'portcullis');
    assert.equal(report.command, 'audit');
    assert.equal(report.mode, 'unauthenticated');
    assert.equal(report.incomplete, false);
    const counted = Object.values(report.summary).reduce((a, b) => a + b, 0);
    assert.equal(counted, CATALOGUE.length);
    for (const check of report.checks) {
      assert.ok(check.summary.length > 0, `${check.id} says why`);
      assert.ok(Array.isArray(check.evidence.requests));
    }
    assert.equal(checkOf(report, 'DISC-01').status, 'pass');
    assert.equal(checkOf(report, 'DISC-01').evidence.requests[0]?.method, 'POST');
    // The contract of docs/audit.md: these fields, and only added to.
    assert.deepEqual(Object.keys(report).sort(), [
      'checks',
      'command',
      'durationMs',
      'incomplete',
      'mode',
      'startedAt',
      'summary',
      'target',
      'tool',
      'version',
    ]);
    assert.deepEqual(Object.keys(report.summary).sort(), ['error', 'fail', 'inconclusive', 'na', 'pass', 'warn']);
    for (const check of report.checks) {
      assert.deepEqual(
        Object.keys(check).sort(),
        ['area', 'durationMs', 'evidence', 'id', 'remediation', 'severity', 'spec', 'status', 'step', 'summary', 'title'],
        check.id,
      );
      for (const spec of check.spec) assert.match(spec.url, /^https:\/\//, `${check.id} ${spec.id}`);
    }
  });

  it('marks checks that need a login, or were not selected, as na with the reason', async () => {
    const { report } = await auditTarget([], { only: ['DISC-01', 'tok'] });
    assert.equal(checkOf(report, 'DISC-01').status, 'pass');
    assert.equal(checkOf(report, 'DISC-02').summary, 'not selected (--only / --skip)');
    assert.match(checkOf(report, 'TOK-04').summary, /--login/);
  });

  it('refuses an unknown --only value instead of running nothing', async () => {
    await assert.rejects(audit({ target: 'http://127.0.0.1:9/mcp', only: ['DISC-99'] }), /DISC-99 is neither a check ID/);
    await assert.rejects(audit({ target: 'not a url' }), AuditUsageError);
    await assert.rejects(audit({ target: 'ftp://127.0.0.1/mcp' }), AuditUsageError);
  });

  it('reports a server that needs no authorization as public, with every OAuth check na, never failed', async () => {
    const server = await startPublicServer();
    try {
      const report = await audit({ target: server.url });
      assert.equal(report.summary.fail, 0);
      assert.equal(report.summary.na, CATALOGUE.length);
      assert.match(checkOf(report, 'DISC-01').summary, /public server/);
      assert.match(checkOf(report, 'ASM-03').summary, /public/);
      assert.equal(auditExitCode(report, 'high', new Set()), 0);
    } finally {
      await server.close();
    }
  });

  it('is incomplete, exit code 3, when nothing answers at the target', async () => {
    const server = await startPublicServer();
    const { url } = server;
    await server.close();
    const report = await audit({ target: url });
    assert.equal(report.incomplete, true);
    assert.match(report.incompleteReason ?? '', /did not answer/);
    assert.equal(auditExitCode(report, 'high', new Set()), 3);
  });

  it('never shows a secret it obtained: the registered client secret and registration token are redacted in the JSON', async () => {
    const { report, target } = await auditTarget([], { only: ['DISC', 'ASM', 'REG', 'AZ'] });
    const json = JSON.stringify(report);
    assert.ok(target.state.clients.size === 0, 'the clients the auditor registered were deleted (RFC 7592)');
    assert.ok(target.state.issuedSecrets.length >= 2, 'the audit obtained secrets (a registration token, a code)');
    for (const secret of target.state.issuedSecrets) assert.ok(!json.includes(secret), 'no code, token or secret in the report');
  });

  it('is incomplete (exit 3), never clean, when registration is rate-limited: what could not be tried is inconclusive', async () => {
    const target = await startAuditTarget();
    try {
      // Spend the target's allowance (20 registrations an hour per address), as an earlier audit would.
      for (let i = 0; i < 25; i++) {
        await fetch(`${target.state.origin}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: [`http://127.0.0.1/cb${i}`], token_endpoint_auth_method: 'none' }),
        });
      }
      const report = await audit({ target: target.url, only: ['AZ-04'] });
      assert.equal(checkOf(report, 'AZ-04').status, 'inconclusive');
      assert.match(checkOf(report, 'AZ-04').summary, /rate-limited \(429\)/);
      assert.equal(report.incomplete, true);
      assert.equal(auditExitCode(report, 'high', new Set()), 3);
    } finally {
      await target.close();
    }
  });
});
