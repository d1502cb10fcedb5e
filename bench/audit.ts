/**
 * How long `portcullis audit` takes against a loopback server (issue 13: an unauthenticated audit
 * under 5 s, a logged-in one under 60 s without --slow), against what `portcullis demo` runs and
 * against the small audit target of the tests, which approves at once. The servers run in this
 * process, a fresh one for each run; the figure is the audit's wall time, the median of --rounds
 * runs, with the checks it ran and the exchanges its evidence shows.
 *
 *   node --import tsx bench/audit.ts [--rounds 5] [--json]
 */
import { parseArgs } from 'node:util';
import { type AuditOptions, audit } from '../src/audit/index.js';
import { startAuditTarget } from '../test/audit/targets/audit-target.js';
import { startTestGateway } from '../test/support/gateway.js';
import { median, positiveInteger } from './support/run-options.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } });
const rounds = positiveInteger('--rounds', values.rounds);

interface Figure {
  target: string;
  mode: 'unauthenticated' | 'logged-in';
  medianMs: number;
  requests: number;
  checksRun: number;
}

/** Each round on a fresh server: registration is rate-limited (20 an hour on both), and one audit registers about 20 clients. */
async function measure(
  target: string,
  start: () => Promise<{ url: string; close: () => Promise<void> }>,
  options: Omit<AuditOptions, 'target'>,
): Promise<Figure> {
  const times: number[] = [];
  let requests = 0;
  let checksRun = 0;
  for (let round = 0; round < rounds; round++) {
    const server = await start();
    try {
      const report = await audit({ ...options, target: server.url });
      times.push(report.durationMs);
      requests = report.checks.reduce((sum, check) => sum + check.evidence.requests.length, 0);
      checksRun = report.checks.filter((check) => check.status !== 'na').length;
    } finally {
      await server.close();
    }
  }
  return { target, mode: options.login === true ? 'logged-in' : 'unauthenticated', medianMs: median(times), requests, checksRun };
}

const PASSWORD = 'a long bench password';
async function startDemo() {
  const gateway = await startTestGateway({ gateway: { challengeAllScopes: true } });
  await gateway.addUser('bench', PASSWORD);
  return { url: gateway.mcpUrl, close: () => gateway.close() };
}
async function startTarget() {
  const target = await startAuditTarget();
  return { url: target.url, close: () => target.close() };
}

const figures: Figure[] = [
  await measure('portcullis demo', startDemo, {}),
  await measure('portcullis demo', startDemo, { login: true, username: 'bench', password: PASSWORD }),
  await measure('audit target', startTarget, {}),
  await measure('audit target', startTarget, { login: true }),
];

if (values.json) process.stdout.write(`${JSON.stringify({ rounds, figures }, null, 2)}\n`);
else {
  process.stdout.write(`portcullis audit on loopback, median of ${rounds} runs (targets: unauthenticated < 5000 ms, logged-in < 60000 ms)\n`);
  for (const figure of figures) {
    const limit = figure.mode === 'logged-in' ? 60_000 : 5000;
    process.stdout.write(
      `  ${figure.target.padEnd(16)} ${figure.mode.padEnd(16)} ${String(figure.medianMs).padStart(6)} ms  ${String(figure.checksRun).padStart(3)} checks run, ${figure.requests} exchanges in evidence  ${figure.medianMs < limit ? 'met' : 'NOT MET'}\n`,
    );
  }
}
