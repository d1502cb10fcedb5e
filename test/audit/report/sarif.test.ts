import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Log } from 'sarif';
import { CATALOGUE } from '../../../src/audit/index.js';
import { auditSarifLog, formatAuditSarif, sarifAnchorUri } from '../../../src/audit/report/sarif.js';
import { auditTarget } from '../audit-support.js';
import { HOSTILE_SUMMARY, sampleReport } from './sample-report.js';
import { assertValidSarif, validateSarif } from './sarif-schema.js';

describe('the SARIF report', () => {
  it('is checked by a validator that refuses invalid SARIF', () => {
    assert.equal(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'a driver needs a name');
    assert.equal(
      validateSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ level: 'critical', message: { text: 'x' } }] }] }),
      false,
    );
    assert.equal(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x', informationUri: 'not a uri' } } }] }), false, 'formats are checked');
  });

  it('is valid SARIF 2.1.0 with a rule for every check and a result for every failure and warning', () => {
    const report = sampleReport();
    const text = formatAuditSarif(report, { anchor: 'README.md' });
    const log = JSON.parse(text) as Log;
    assertValidSarif(log);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0]!;
    assert.equal(run.tool.driver.name, 'Portcullis');
    assert.equal(run.tool.driver.semanticVersion, '0.1.0');
    assert.match(run.tool.driver.informationUri ?? '', /^https:\/\//);
    assert.equal(run.automationDetails?.id, 'portcullis/audit/127.0.0.1:4000/');
    assert.deepEqual(
      run.tool.driver.rules?.map((rule) => rule.id),
      CATALOGUE.map((check) => `portcullis/${check.id}`),
    );
    const failedOrWarned = report.checks.filter((check) => check.status === 'fail' || check.status === 'warn').map((check) => `portcullis/${check.id}`);
    assert.deepEqual(
      run.results?.map((result) => result.ruleId),
      failedOrWarned,
    );
  });

  it('carries what GitHub code scanning needs on every rule: help, the security tag and a string security-severity', () => {
    const run = auditSarifLog(sampleReport(), { anchor: 'README.md' }).runs[0]!;
    const expected = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
    for (const [index, rule] of (run.tool.driver.rules ?? []).entries()) {
      const check = CATALOGUE[index]!;
      assert.equal(rule.shortDescription?.text, check.title);
      assert.ok((rule.shortDescription?.text.length ?? 0) <= 1024);
      assert.ok(rule.fullDescription?.text.includes(check.title));
      assert.ok(rule.help?.text.includes(check.remediation), rule.id);
      assert.ok(rule.help?.markdown?.includes(check.spec[0]!.url), rule.id);
      const tags = rule.properties?.tags ?? [];
      assert.ok(tags.includes('security') && tags.length <= 20, rule.id);
      assert.equal(rule.properties?.['security-severity'], expected[check.severity], rule.id);
      assert.equal(typeof rule.properties?.['security-severity'], 'string');
      assert.match(rule.name ?? '', /^[A-Z][A-Za-z0-9]+$/);
    }
  });

  it('anchors each result to the given file, line 1, and puts the URL, summary, spec IDs and evidence in it', () => {
    const report = sampleReport();
    const run = auditSarifLog(report, { anchor: 'docs/security audit.md' }).runs[0]!;
    const byRule = new Map(run.results?.map((result) => [result.ruleId, result]));
    for (const result of run.results ?? []) {
      assert.deepEqual(result.locations, [{ physicalLocation: { artifactLocation: { uri: 'docs/security%20audit.md' }, region: { startLine: 1 } } }]);
      assert.equal(run.tool.driver.rules?.[result.ruleIndex!]?.id, result.ruleId);
      assert.match(result.message.text ?? '', /http:\/\/127\.0\.0\.1:4000\/mcp/);
    }
    const az01 = byRule.get('portcullis/AZ-01')!;
    assert.equal(az01.level, 'error');
    assert.ok(az01.message.text?.startsWith('An unregistered redirect_uri is never redirected to.'), az01.message.text);
    assert.ok(az01.message.text?.includes(HOSTILE_SUMMARY));
    assert.match(az01.message.text ?? '', /Spec: RFC6749-3\.1\.2\.4, RFC6749-4\.1\.2\.1, OAUTH21-2\.3\.1/);
    assert.equal((az01.properties!['evidence'] as { requests: unknown[] }).requests.length, 1);
    assert.equal(byRule.get('portcullis/ASM-03')?.level, 'warning', 'a failure at the lower severity it reported (medium)');
    assert.equal(byRule.get('portcullis/AZ-10')?.level, 'warning', 'a low failure');
    assert.equal(byRule.get('portcullis/DISC-02')?.level, 'note', 'a warning');
    assert.equal(byRule.get('portcullis/TOK-13'), undefined, 'an auditor error is no finding');
    assert.equal(run.invocations?.[0]?.executionSuccessful, false, 'an auditor error makes the run unsuccessful');
  });

  it('marks the results a baseline excuses as suppressed, and stays valid', () => {
    const log = auditSarifLog(sampleReport(), { anchor: 'README.md', excused: new Set(['AZ-01']) });
    assertValidSarif(log);
    const results = log.runs[0]!.results ?? [];
    assert.deepEqual(
      results.filter((result) => result.suppressions !== undefined).map((result) => result.ruleId),
      ['portcullis/AZ-01'],
    );
  });

  it('refuses an anchor that is not a path inside the repository', () => {
    assert.equal(sarifAnchorUri('./README.md'), 'README.md');
    assert.equal(sarifAnchorUri('docs\\audit.md'), 'docs/audit.md');
    for (const bad of ['', '/etc/passwd', '../outside.md', 'docs/../../x', 'https://example.com/README.md', 'C:\\repo\\README.md', '.'])
      assert.throws(() => sarifAnchorUri(bad), RangeError, bad);
  });

  it('is valid for a real audit of the audit target', async () => {
    const { report } = await auditTarget([], { only: ['DISC'] });
    const log = auditSarifLog(report, { anchor: 'README.md' });
    assertValidSarif(log);
    assert.equal(log.runs[0]!.results?.length, report.checks.filter((check) => check.status === 'fail' || check.status === 'warn').length);
  });
});
