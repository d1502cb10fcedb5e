import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { XMLValidator } from 'fast-xml-parser';
import type { AuditReport } from '../../../src/audit/index.js';
import { registerAuditCommand } from '../../../src/cli/commands/audit.js';
import { closeHttpServer } from '../../../src/http/close-server.js';
import { assertValidSarif } from '../../audit/report/sarif-schema.js';
import { type AuditTarget, startAuditTarget } from '../../audit/targets/audit-target.js';
import { NO_SECRET } from '../../support/cli-commands.js';
import { type CliRun, runCli } from '../../support/cli-process.js';

/** `portcullis audit ARGS`, run as a user would, in `cwd` when given. */
const auditCli = (args: string[], cwd?: string): Promise<CliRun> => runCli(['audit', ...args], NO_SECRET, '', cwd === undefined ? {} : { cwd });

/** A server that refuses every request with 403: DISC-01 fails (an MCP client never starts discovery). */
async function startForbiddingServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_request, response) => response.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => closeHttpServer(server) };
}

/** A loopback port nothing listens on (one that was free a moment ago). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await closeHttpServer(server);
  return port;
}

describe('portcullis audit', () => {
  let target: AuditTarget;
  let forbidding: Awaited<ReturnType<typeof startForbiddingServer>>;
  let dir: string;
  let count = 0;
  /** A new empty folder for one run's files. */
  const folder = () => {
    const path = join(dir, `run-${++count}`);
    mkdirSync(path);
    return path;
  };

  before(async () => {
    target = await startAuditTarget();
    forbidding = await startForbiddingServer();
    dir = mkdtempSync(join(tmpdir(), 'portcullis-audit-cli-'));
  });
  after(async () => {
    await target.close();
    await forbidding.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every option in --help', async () => {
    const program = new Command();
    registerAuditCommand(program);
    const options = program.commands.find((command) => command.name() === 'audit')!.options.map((option) => option.long!);
    for (const added of ['--sarif', '--sarif-anchor', '--junit', '--md']) assert.ok(options.includes(added), added);
    const help = await auditCli(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const option of options) assert.match(help.stdout, new RegExp(`\\s${option}\\b`), option);
  });

  it('prints the JSON report on stdout and the progress on stderr, and exits 0 on a clean target', async () => {
    const run = await auditCli([target.url, '--only', 'DISC', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as AuditReport;
    assert.equal(report.tool, 'portcullis');
    assert.equal(report.target, target.url);
    assert.equal(report.checks.find((check) => check.id === 'DISC-01')?.status, 'pass');
    assert.match(run.stderr, /^audit: DISC-01 pass: /m);
    assert.doesNotMatch(run.stdout, /^audit: /m, 'no progress on stdout');
  });

  it('exits 1 for a finding at or above --fail-on, and 0 when the baseline excuses it', async () => {
    const finding = await auditCli([forbidding.url, '--only', 'DISC-01']);
    assert.equal(finding.code, 1, finding.stderr);
    assert.match(finding.stdout, /DISC-01 high: A request without a token is answered 401/);
    const baseline = join(folder(), 'baseline.json');
    writeFileSync(baseline, '["DISC-01"]');
    const [excused, belowFailOn, strict] = await Promise.all([
      auditCli([forbidding.url, '--only', 'DISC-01', '--baseline', baseline]),
      auditCli([forbidding.url, '--only', 'DISC-01', '--fail-on', 'critical']),
      // On the clean target DISC-01 passes: with --strict-baseline, an excuse that is no longer needed fails the run.
      auditCli([target.url, '--only', 'DISC-01', '--baseline', baseline, '--strict-baseline']),
    ]);
    assert.equal(excused.code, 0, excused.stderr);
    assert.match(excused.stdout, /DISC-01 high \(baseline\)/);
    assert.equal(belowFailOn.code, 0, belowFailOn.stderr);
    assert.equal(strict.code, 1, strict.stderr);
  });

  it('exits 3 when nothing listens, and writes no report file for an incomplete audit', async () => {
    const out = folder();
    const run = await auditCli([
      `http://127.0.0.1:${await unusedPort()}/mcp`,
      '--only',
      'DISC',
      '--sarif',
      join(out, 'a.sarif'),
      '--junit',
      join(out, 'a.xml'),
    ]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /Incomplete: the target did not answer/);
    assert.match(run.stderr, /incomplete, so no report file was written/);
    assert.deepEqual(readdirSync(out), []);
  });

  it('exits 2 for a usage error, with one line saying what to change, and creates nothing', async () => {
    const files = ['--sarif', 'a.sarif', '--junit', 'a.xml', '--md', 'a.md'];
    const cases: [string[], RegExp][] = [
      [['--only', 'DISC-99', ...files], /DISC-99 is neither a check ID/],
      [['--fail-on', 'severe', ...files], /--fail-on severe: use critical, high/],
      [['--baseline', join(dir, 'no-such-baseline.json'), ...files], /--baseline .*: cannot read the file/],
      [['--bogus', ...files], /unknown option '--bogus'/],
      [['--sarif-anchor', 'docs/x.md'], /--sarif-anchor only applies with --sarif/],
      [['--sarif', 'a.sarif', '--sarif-anchor', '/etc/passwd'], /the SARIF anchor must be a file path relative to the repository root/],
      [['--md', 'no-such-folder/a.md'], /--md no-such-folder\/a\.md: cannot write there/],
      [['--sarif', 'a.sarif', '--md', 'a.sarif'], /--sarif and --md name the same file a\.sarif/],
    ];
    const runs = await Promise.all(
      cases.map(async ([args]) => {
        const cwd = folder();
        return { cwd, run: await auditCli([target.url, ...args], cwd) };
      }),
    );
    for (const [index, { cwd, run }] of runs.entries()) {
      const [args, message] = cases[index]!;
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(readdirSync(cwd), [], `${args.join(' ')} created nothing`);
    }
  });

  it('writes the SARIF, JUnit and Markdown files once the run is done, each valid and whole', async () => {
    const out = folder();
    const sarif = join(out, 'audit.sarif');
    const junit = join(out, 'audit.xml');
    const md = join(out, 'audit.md');
    writeFileSync(md, 'an older report');
    const run = await auditCli([target.url, '--only', 'DISC', '--sarif', sarif, '--sarif-anchor', 'docs/audit.md', '--junit', junit, '--md', md]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['audit.md', 'audit.sarif', 'audit.xml'], 'no temporary file left');
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as { runs: { automationDetails: { id: string }; results: { locations: unknown[] }[] }[] };
    assertValidSarif(log);
    assert.equal(log.runs[0]!.automationDetails.id, `portcullis/audit/${new URL(target.url).host}/`);
    for (const result of log.runs[0]!.results)
      assert.deepEqual(result.locations, [{ physicalLocation: { artifactLocation: { uri: 'docs/audit.md' }, region: { startLine: 1 } } }]);
    assert.equal(XMLValidator.validate(readFileSync(junit, 'utf8')), true);
    assert.match(readFileSync(junit, 'utf8'), /<testsuite name="portcullis audit DISC"/);
    assert.match(readFileSync(md, 'utf8'), /^### Portcullis audit of http:\/\/127\.0\.0\.1:\d+\/mcp: ✔/);
    assert.ok(existsSync(sarif));
  });
});
