/**
 * The full authorization-code + PKCE flow of a returning user, on loopback, several server
 * set-ups in one run (issue 15, "What it must show"; DESIGN.md, Performance): `GET /authorize`
 * with a signed-in session and remembered consent (straight back with `code`, `state`, `iss`),
 * then `POST /token` with the verifier and `resource` (200, access and refresh token).
 *
 *   npm run bench:flow -- [--connections 10] [--duration 10] [--warmup 2] [--rounds 3]
 *                         [--only sqlite,postgres,…] [--busy-retries 1] [--quiet-timeout 60] [--json]
 *
 * Every server, the proxy and the load driver are separate processes; this one only orchestrates
 * and reads /proc. See bench/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomSecret } from '../src/core/secrets.js';
import { postgresSkipReason } from '../test/support/stores.js';
import { type CaseContext, FLOW_CASES, type FlowCase, type RunningCase } from './flow/flow-cases.js';
import { type CaseRound, type CaseSummary, formatReport, ratios, summarize } from './flow/flow-report.js';
import { BUSY_SHARE, measureCase } from './flow/measure-case.js';
import { postgresCommitSettings } from './flow/postgres-server.js';
import { fatal, nonNegativeInteger, positiveInteger, progress } from './support/run-options.js';

const HELP = `Usage: npm run bench:flow -- [options]

The authorization-code + PKCE flow of a returning user (authorize with a session and remembered
consent, then the token request), in flows per second and server CPU per flow.

Options:
  --connections N     concurrent connections, each a signed-in user running flows back to back (default 10)
  --duration S        measured seconds per case (default 10)
  --warmup S          seconds of load before measuring (default 2)
  --rounds N          run every case N times, in turn; medians reported (default 3)
  --only LIST         comma-separated cases: ${FLOW_CASES.map((c) => c.id).join(', ')}
  --busy-retries N    measure again when other processes took over ${BUSY_SHARE * 100} % of the CPUs (default 1)
  --quiet-timeout S   wait at most S seconds for a quiet machine before each measurement (default 60)
  --keep-logs         keep the servers' logs (they are kept anyway when something failed)
  --json              JSON on stdout (progress stays on stderr)
  -h, --help          this text

Results also go to bench/results/flow.json. Exit status: 0 when every flow succeeded, 1 when
one failed or a case could not start, 2 for a bad option.`;

let parsed: ReturnType<typeof parseOptions>;
function parseOptions() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      connections: { type: 'string', default: '10' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
      'busy-retries': { type: 'string', default: '1' },
      'quiet-timeout': { type: 'string', default: '60' },
      'keep-logs': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
}
try {
  parsed = parseOptions();
} catch (error) {
  fatal(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const options = {
  connections: positiveInteger('--connections', values.connections),
  durationSeconds: positiveInteger('--duration', values.duration),
  warmupSeconds: nonNegativeInteger('--warmup', values.warmup),
  rounds: positiveInteger('--rounds', values.rounds),
  busyRetries: nonNegativeInteger('--busy-retries', values['busy-retries']),
  quietTimeoutSeconds: nonNegativeInteger('--quiet-timeout', values['quiet-timeout']),
  log: progress,
};
let cases: FlowCase[] = [...FLOW_CASES];
if (values.only !== undefined) {
  const wanted = values.only.split(',').map((s) => s.trim());
  const unknown = wanted.filter((id) => !FLOW_CASES.some((c) => c.id === id));
  if (unknown.length > 0) fatal(`--only: unknown case ${unknown.join(', ')}; choose from ${FLOW_CASES.map((c) => c.id).join(', ')}`);
  cases = FLOW_CASES.filter((c) => wanted.includes(c.id));
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const postgresSkipped = await postgresSkipReason().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
if (postgresSkipped !== false) {
  progress(`PostgreSQL cases skipped: ${postgresSkipped}`);
  cases = cases.filter((c) => !c.id.startsWith('postgres'));
}

const logDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-flow-'));
// One master secret for the run: every instance of one database must share it.
const context: CaseContext = { cwd: root, logDir, secret: randomSecret(48) };
const rounds = new Map<string, CaseRound[]>(cases.map((c) => [c.id, []]));
const failures: Array<{ case: string; round: number; message: string }> = [];

progress(
  `flow benchmark: ${cases.map((c) => c.id).join(', ')}; ${options.connections} connections, ${options.warmupSeconds} s warm-up, ${options.durationSeconds} s measured, ${options.rounds} round(s); logs in ${logDir}`,
);
// Interrupted: stop the case's processes and drop its database before leaving.
let active: RunningCase | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    void (active?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
for (let round = 1; round <= options.rounds; round++) {
  for (const flowCase of cases) {
    progress(`round ${round}/${options.rounds}: ${flowCase.label}`);
    try {
      // A folder per round: the logs of one case's processes are named by the case.
      const roundContext: CaseContext = { ...context, logDir: join(logDir, `round-${round}`) };
      mkdirSync(roundContext.logDir, { recursive: true });
      const running = await flowCase.start(roundContext);
      active = running;
      let measured: Awaited<ReturnType<typeof measureCase>> | undefined;
      try {
        measured = await measureCase(running, roundContext, flowCase.id, options);
      } finally {
        active = undefined;
        const { forwarded } = await running.stop();
        if (measured !== undefined) rounds.get(flowCase.id)!.push({ ...measured, round, forwarded });
      }
      const failed = Object.entries(measured.failures);
      if (failed.length > 0) failures.push({ case: flowCase.id, round, message: failed.map(([what, n]) => `${n} × ${what}`).join('; ') });
      progress(
        `  ${measured.flowsPerSecond.toFixed(0)} flows/s, p50 ${measured.p50Ms.toFixed(2)} ms, server CPU ${measured.serverCpuUsPerFlow.toFixed(0)} µs/flow${failed.length > 0 ? `, FAILED: ${failures.at(-1)!.message}` : ''}`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ case: flowCase.id, round, message });
      progress(`  FAILED: ${message}`);
    }
  }
}

const summaries: CaseSummary[] = cases.map((c) => summarize(c.id, c.label, rounds.get(c.id)!));
const report = {
  benchmark: 'authorization-code flow with PKCE (returning user)',
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown'}`,
  options: { ...options, log: undefined },
  postgres: postgresSkipped === false ? await postgresCommitSettings().catch((error: unknown) => String(error)) : postgresSkipped,
  cases: summaries,
  ratios: ratios(summaries),
  failures,
};
const resultsFile = join(root, 'bench', 'results', 'flow.json');
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  process.stdout.write(`\n${formatReport(summaries, availableParallelism())}\n`);
  const busy = summaries.filter((s) => s.otherShare > BUSY_SHARE);
  if (busy.length > 0)
    process.stdout.write(
      `\nwarning: other processes took over ${BUSY_SHARE * 100} % of the CPUs during ${busy.map((s) => s.id).join(', ')}; those figures are unreliable\n`,
    );
  process.stdout.write(`\nresults: ${relative(process.cwd(), resultsFile)}\n`);
}
if (failures.length === 0 && !values['keep-logs']) rmSync(logDir, { recursive: true, force: true });
else progress(`logs kept in ${logDir}`);
process.exit(failures.length === 0 ? 0 : 1);
