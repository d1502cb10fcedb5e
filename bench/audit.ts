/**
 * How long `portcullis audit` takes against a loopback server (issue 13: an unauthenticated audit
 * under 5 s, a logged-in one under 60 s without --slow), against what `portcullis demo` runs and
 * against the small audit target of the tests, which approves at once. The servers run in this
 * process; the figure is the audit's wall time, the median of --rounds runs, with the number of
 * requests it made.
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

async function measure(target: string, url: string, options: Omit<AuditOptions, 'target'>): Promise<Figure> {
  const times: number[] = [];
  let requests = 0;
  let checksRun = 0;
  for (let round = 0; round < rounds; round++) {
    const report = await audit({ ...options, target: url });
    times.push(report.durationMs);
    requests = report.checks.reduce((sum, check) => sum + check.evidence.requests.length, 0);
    checksRun = report.checks.filter((check) => check.status !== 'na').length;
  }
  return { target, mode: options.login === true ? 'logged-in' : 'unauthenticated', medianMs: median(times), requests, checksRun };
}

const figures: Figure[] = [];
const gateway = await startTestGateway({ gateway: { challengeAllScopes: true } });
await gateway.addUser('bench', 'a long bench password');
try {
  figures.push(await measure('portcullis demo', gateway.mcpUrl, {}));
  figures.push(await measure('portcullis demo', gateway.mcpUrl, { login: true, username: 'bench', password: 'a long bench password' }));
} finally {
  await gateway.close();
}
const target = await startAuditTarget();
try {
  figures.push(await measure('audit target', target.url, {}));
  figures.push(await measure('audit target', target.url, { login: true }));
} finally {
  await target.close();
}

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
