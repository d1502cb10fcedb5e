import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuditOptions, audit, type Severity } from '../../../src/audit/index.js';
import { freePort, startTestGateway } from '../../support/gateway.js';
import { assertStatus, auditTarget, checkOf } from '../audit-support.js';
import type { Flaw } from '../targets/flaws.js';
import type { TargetOptions } from '../targets/target-state.js';

/** A --public-url the auditor can listen on: a loopback port free a moment ago (on loopback the server reaches it as is). */
const loopbackPublicUrl = async () => `http://127.0.0.1:${await freePort()}`;

/** REG-08 alone, against a target that takes Client ID Metadata Documents, with these flaws. */
async function auditDocuments(flaws: readonly Flaw[] = [], options: Omit<AuditOptions, 'target'> = {}, targetOptions: TargetOptions = {}) {
  return auditTarget(flaws, { only: ['REG-08'], publicUrl: await loopbackPublicUrl(), ...options }, { clientIdMetadataDocuments: true, ...targetOptions });
}

describe('REG-08: Client ID Metadata Documents are fetched and checked safely', () => {
  it('passes on a correct target: the valid document is fetched and accepted, every changed one refused', async () => {
    const { report, target } = await auditDocuments();
    const check = assertStatus(report, 'REG-08', 'pass');
    assert.match(check.summary, /^a valid document was fetched and accepted; refused: /);
    for (const probe of ['answers 404', 'redirects to a valid document', '64 KiB document', 'client_id is another URL', 'does not list', '169.254.169.254']) {
      assert.ok(check.summary.includes(probe), `${probe}: ${check.summary}`);
    }
    assert.match(check.summary, /only with --slow/);
    // The auditor fetched nothing but the server's own endpoints: 169.254.169.254 is only ever named in a client_id.
    const origin = new URL(target.url).origin;
    assert.deepEqual(
      check.evidence.requests.filter((request) => !request.url.startsWith(`${origin}/`)).map((request) => request.url),
      [],
    );
    assert.ok(
      check.evidence.requests.some((request) => new URL(request.url).searchParams.get('client_id')?.startsWith('http://169.254.169.254/') === true),
      'the metadata-address client_id was sent, as a parameter',
    );
  });

  const failures: { flaw: Flaw; summary: RegExp; severity: Severity; options?: Omit<AuditOptions, 'target'> }[] = [
    { flaw: 'cimd-follows-redirects', summary: /redirects to a valid document: accepted/, severity: 'high' },
    {
      flaw: 'cimd-follows-redirects-checks-final-url',
      summary: /redirects to a valid document: an error page \(400\), but only after following the redirect/,
      severity: 'medium',
    },
    { flaw: 'cimd-no-size-limit', summary: /a 64 KiB document: accepted/, severity: 'high' },
    { flaw: 'cimd-client-id-unchecked', summary: /client_id is another URL: accepted/, severity: 'high' },
    {
      flaw: 'cimd-redirect-uri-from-request',
      summary: /redirect_uri the document does not list: the server redirected a code to http:\/\/127\.0\.0\.1:\d+\/cb\//,
      severity: 'high',
    },
    {
      flaw: 'cimd-fetch-failure-accepted',
      summary:
        /^a document URL that answers 404, a document URL that redirects to a valid document, a 64 KiB document and a client_id on 169\.254\.169\.254: accepted: a code was redirected to the client$/,
      severity: 'high',
    },
    {
      flaw: 'cimd-no-fetch-timeout',
      summary: /a document that never ends: no answer within 3 s \(--timeout\) while the server read it/,
      severity: 'high',
      options: { slow: true, timeoutMs: 3000 },
    },
  ];
  for (const { flaw, summary, severity, options } of failures) {
    it(`fails on a target with ${flaw}`, async () => {
      const { report } = await auditDocuments([flaw], options);
      const check = assertStatus(report, 'REG-08', 'fail');
      assert.match(check.summary, summary);
      assert.equal(check.severity, severity);
    });
  }

  it('with a login page: a changed document that gets the page, as the valid one did, was accepted (the 404 was refused before any page)', async () => {
    const correct = await auditDocuments([], {}, { consentPage: true });
    assert.match(assertStatus(correct.report, 'REG-08', 'pass').summary, /^a valid document was fetched and accepted; refused: /);
    const { report } = await auditDocuments(['cimd-client-id-unchecked'], {}, { consentPage: true });
    assert.match(
      assertStatus(report, 'REG-08', 'fail').summary,
      /^a document whose client_id is another URL: accepted: the login page came, as for the valid document$/,
    );
  });

  it('with --slow, passes on a correct target, which gives up on a document that never ends', async () => {
    const { report } = await auditDocuments([], { slow: true });
    const check = assertStatus(report, 'REG-08', 'pass');
    assert.match(check.summary, /a document that never ends: an error page \(400\) after \d+\.\d s/);
    assert.doesNotMatch(check.summary, /only with --slow/);
  });

  it('serves no never-ending document without --slow: a server without a fetch deadline is not caught, and the summary says why', async () => {
    const { report } = await auditDocuments(['cimd-no-fetch-timeout']);
    assert.match(assertStatus(report, 'REG-08', 'pass').summary, /a document that never ends: only with --slow/);
  });

  it('is na without --public-url, and without client_id_metadata_document_supported in the metadata', async () => {
    const withoutUrl = await auditTarget([], { only: ['REG-08'] }, { clientIdMetadataDocuments: true });
    assert.match(assertStatus(withoutUrl.report, 'REG-08', 'na').summary, /--public-url/);
    const unsupported = await auditTarget([], { only: ['REG-08'], publicUrl: await loopbackPublicUrl() });
    assert.match(assertStatus(unsupported.report, 'REG-08', 'na').summary, /client_id_metadata_document_supported: true/);
  });

  it('is inconclusive, not a pass, when the server never fetches the valid document (Portcullis refuses an http client_id without its dangerous switch)', async () => {
    const gateway = await startTestGateway({ settings: { clientMetadataDocuments: { enabled: true } } });
    try {
      const report = await audit({ target: gateway.mcpUrl, only: ['REG-08'], publicUrl: await loopbackPublicUrl() });
      assert.match(assertStatus(report, 'REG-08', 'inconclusive').summary, /never fetched the valid document/);
    } finally {
      await gateway.close();
    }
  });

  it('is inconclusive when --public-url cannot be listened on (its port is taken)', async () => {
    const gateway = await startTestGateway({ settings: { clientMetadataDocuments: { enabled: true, dangerouslyAllowLoopback: true } } });
    try {
      // The gateway's own port: in use, so the auditor cannot serve documents there.
      const report = await audit({ target: gateway.mcpUrl, only: ['REG-08'], publicUrl: gateway.issuer });
      assert.match(checkOf(report, 'REG-08').summary, /could not listen on 127\.0\.0\.1 port \d+ .*EADDRINUSE/);
      assertStatus(report, 'REG-08', 'inconclusive');
    } finally {
      await gateway.close();
    }
  });
});
