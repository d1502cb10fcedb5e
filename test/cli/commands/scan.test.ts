import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertValidSarif } from '../../audit/report/sarif-schema.js';
import { runCli } from '../../support/cli-process.js';

/** A project with one weak verifier, one test file with the same flaw, an ignored file and a suppression. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-scan-'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'test'));
  mkdirSync(join(root, 'node_modules', 'lib'), { recursive: true });
  mkdirSync(join(root, 'generated'));
  writeFileSync(join(root, '.gitignore'), 'generated/\n');
  writeFileSync(join(root, 'src', 'login.ts'), 'export const codeVerifier = Math.random().toString(36).slice(2);\n');
  writeFileSync(
    join(root, 'src', 'excused.ts'),
    '// portcullis-ignore pkce-weak-rng: a demo page, never deployed\nexport const state = String(Date.now());\n// portcullis-ignore pkce-plain: nothing here any more\nexport const x = 1;\n// portcullis-ignore pkce-weak-rng\nexport const y = 2;\n',
  );
  writeFileSync(join(root, 'test', 'login.test.ts'), 'export const verifier = String(Date.now());\n');
  writeFileSync(join(root, 'node_modules', 'lib', 'index.js'), 'export const verifier = Math.random();\n');
  writeFileSync(join(root, 'generated', 'client.ts'), 'export const verifier = Math.random();\n');
  writeFileSync(join(root, 'src', 'types.d.ts'), 'export declare const verifier: string;\n');
  return root;
}

describe('portcullis scan', () => {
  it('reports each finding with its place, rule and fix; honours .gitignore, node_modules and .d.ts; lowers test files; applies and checks suppressions', async () => {
    const root = project();
    const run = await runCli(['scan', root, '--json']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.command, 'scan');
    assert.equal(report.filesScanned, 3, 'src/login.ts, src/excused.ts, test/login.test.ts');
    const brief = report.findings.map((f: { ruleId: string; file: string; line: number; severity: string; suppressed?: unknown }) =>
      [f.file, f.line, f.ruleId, f.severity, f.suppressed === undefined ? '' : 'suppressed'].join(' '),
    );
    assert.deepEqual(brief.sort(), [
      'src/excused.ts 2 pkce-weak-rng high suppressed',
      'src/excused.ts 3 suppression-unused info ',
      'src/excused.ts 5 suppression-invalid info ',
      'src/login.ts 1 pkce-weak-rng high ',
      'test/login.test.ts 1 pkce-weak-rng medium ',
    ]);
    assert.deepEqual(report.summary, { critical: 0, high: 1, medium: 1, low: 0, note: 2 });
    assert.match(report.findings[0].fingerprint, /^[0-9a-f]+:1$/);

    const text = await runCli(['scan', root]);
    assert.match(text.stdout, /src\/login\.ts:1:14 {2}high {2}pkce-weak-rng {2}codeVerifier comes from Math\.random\(\)/);
    assert.match(text.stdout, /fix: Use crypto\.randomBytes\(32\)/);
  });

  it('passes with --fail-on critical, and with a baseline made from an earlier --json report', async () => {
    const root = project();
    assert.equal((await runCli(['scan', root, '--fail-on', 'critical'])).code, 0);
    const baseline = join(root, 'baseline.json');
    writeFileSync(baseline, (await runCli(['scan', root, '--json'])).stdout);
    const run = await runCli(['scan', root, '--baseline', baseline]);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /excused by the baseline/);
  });

  it('writes SARIF that the 2.1.0 schema accepts, with line hashes and in-source suppressions', async () => {
    const root = project();
    const sarif = join(root, 'out.sarif');
    await runCli(['scan', root, '--sarif', sarif]);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    assertValidSarif(log);
    const results = log.runs[0].results;
    const login = results.find(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri === 'src/login.ts',
    );
    assert.equal(login.ruleId, 'portcullis/pkce-weak-rng');
    assert.deepEqual(login.locations[0].physicalLocation.region, { startLine: 1, startColumn: 14, endLine: 1, endColumn: 26 });
    assert.match(login.partialFingerprints.primaryLocationLineHash, /^[0-9a-f]+:1$/);
    const rule = log.runs[0].tool.driver.rules[login.ruleIndex];
    assert.equal(rule.properties['security-severity'], '8.0');
    assert.ok(rule.properties.tags.includes('external/cwe/cwe-338'));
    assert.ok(results.some((r: { suppressions?: { kind: string }[] }) => r.suppressions?.[0]?.kind === 'inSource'));
    assert.equal(log.runs[0].automationDetails.id, 'portcullis/scan/');
  });

  it('shows the way a value went, source first: in the JSON report, on the terminal and as a SARIF code flow', async () => {
    const root = mkdtempSync(join(tmpdir(), 'portcullis-scan-flow-'));
    writeFileSync(join(root, 'pkce.ts'), 'const seed = Math.random();\nconst digits = seed.toString(36);\nexport const verifier = digits.slice(2);\n');
    const report = JSON.parse((await runCli(['scan', root, '--json'])).stdout);
    const [finding] = report.findings;
    assert.equal(finding.line, 3);
    assert.deepEqual(
      finding.flow.map((step: { line: number; code: string }) => `${step.line} ${step.code}`),
      ['1 Math.random()', '2 seed.toString(36)', '3 digits.slice(2)'],
    );
    assert.match((await runCli(['scan', root])).stdout, /via: 1: Math\.random\(\) → 2: seed\.toString\(36\) → 3: digits\.slice\(2\)/);
    const sarif = join(root, 'out.sarif');
    await runCli(['scan', root, '--sarif', sarif]);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    assertValidSarif(log);
    const steps = log.runs[0].results[0].codeFlows[0].threadFlows[0].locations;
    assert.deepEqual(
      steps.map((step: { location: { physicalLocation: { region: { startLine: number } }; message: { text: string } } }) => [
        step.location.physicalLocation.region.startLine,
        step.location.message.text,
      ]),
      [
        [1, 'source: Math.random()'],
        [2, 'seed.toString(36)'],
        [3, 'sink: digits.slice(2)'],
      ],
    );
  });

  it('knows a test folder by its place in the project even when the scan starts inside it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'portcullis-scan-project-'));
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'test', 'support'), { recursive: true });
    writeFileSync(join(root, 'test', 'support', 'fake-server.ts'), 'export const state = String(Date.now());\n');
    for (const start of [root, join(root, 'test'), join(root, 'test', 'support')]) {
      const report = JSON.parse((await runCli(['scan', start, '--json'])).stdout);
      assert.deepEqual(
        report.findings.map((f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`),
        ['pkce-weak-rng medium'],
        start,
      );
    }
  });

  it('lists a file it cannot parse, with where and why, and scans the others', async () => {
    const root = mkdtempSync(join(tmpdir(), 'portcullis-scan-broken-'));
    writeFileSync(join(root, 'broken.ts'), 'export const token = ;\n');
    writeFileSync(join(root, 'login.ts'), 'export const codeVerifier = Math.random().toString(36);\n');
    const run = await runCli(['scan', root, '--json']);
    assert.equal(run.code, 1, 'the finding in login.ts still fails the run');
    const report = JSON.parse(run.stdout);
    assert.equal(report.filesScanned, 2);
    assert.deepEqual(report.errors, [{ file: 'broken.ts', message: 'broken.ts:1:22: cannot be parsed: Expression expected.' }]);
    assert.deepEqual(
      report.findings.map((f: { file: string; ruleId: string }) => `${f.file} ${f.ruleId}`),
      ['login.ts pkce-weak-rng'],
    );
    assert.match((await runCli(['scan', root])).stdout, /broken\.ts:1:22: cannot be parsed: Expression expected\. \(not scanned\)/);
  });

  it('refuses bad input with exit code 2 and a message, writing nothing', async () => {
    const root = project();
    for (const [args, message] of [
      [['scan', join(root, 'missing')], /no such file or folder/],
      [['scan', root, '--only', 'no-such-rule'], /no-such-rule is not a rule/],
      [['scan', root, '--fail-on', 'severe'], /--fail-on severe: use/],
      [['scan', root, '--sarif', join(root, 'no', 'dir.sarif')], /cannot write there/],
      [['scan', root, '--baseline', join(root, 'src', 'login.ts')], /is not JSON/],
    ] as const) {
      const run = await runCli([...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
