/**
 * What metrics cost on the two hot paths (docs/design.md "Performance": under 3 %), in one run:
 * the refresh-token grant with rotation (bench/servers/portcullis.ts, as `npm run bench`) and the
 * gateway (bench/gateway/servers.ts --kind gateway, as `npm run bench:gateway`), each with metrics
 * off and on (PORTCULLIS_BENCH_METRICS=1), in interleaved rounds whose order alternates (off, on;
 * then on, off), so drift on a shared machine falls on both sides. Reports medians and the cost
 * in % by throughput and by server CPU per request.
 *
 *   npm run bench:metrics -- [--duration 8] [--warmup 2] [--connections 10] [--rounds 3] [--quiet-timeout 120] [--json] [--no-pin]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS } from '../src/metrics/bound-series.js';
import { createPortcullisMetrics } from '../src/metrics/portcullis-metrics.js';
import { ANNOUNCEMENT_KEY } from './gateway/kinds.js';
import { runFixedLoad } from './gateway/load.js';
import { probeMachineLoad, waitForQuietMachine } from './support/machine-load.js';
import { runRotatingLoad } from './support/rotating-load.js';
import { fatal, median, pinProcesses, positiveInteger, progress } from './support/run-options.js';
import { startServerProcess } from './support/server-process.js';

const TARGET_PERCENT = 3;
const BUSY_MACHINE_SHARE = 0.05;
const PATHS = ['refresh', 'gateway'] as const;
type HotPath = (typeof PATHS)[number];

interface Measurement {
  path: HotPath;
  metrics: boolean;
  round: number;
  reqPerSec: number;
  p50Ms: number;
  serverCpuMicrosPerRequest: number | undefined;
  otherCpuShare: number | undefined;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'quiet-timeout': { type: 'string', default: '120' },
    json: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write('npm run bench:metrics -- [--duration S] [--warmup S] [--connections N] [--rounds N (≥ 3)] [--quiet-timeout S] [--json] [--no-pin]\n');
  process.exit(0);
}
const duration = positiveInteger('--duration', values.duration);
const warmup = positiveInteger('--warmup', values.warmup);
const connections = positiveInteger('--connections', values.connections);
const rounds = positiveInteger('--rounds', values.rounds);
const quietTimeoutMs = positiveInteger('--quiet-timeout', values['quiet-timeout']) * 1000;
if (rounds < 3) fatal('--rounds must be at least 3: the cost is a difference of medians');
const machine = `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}`;
const pinning = pinProcesses(!values['no-pin']);

/** The child's environment: metrics on or off, the rest as the other benchmarks run. */
function childEnv(metrics: boolean): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'production', PORTCULLIS_BENCH_METRICS: metrics ? '1' : '' };
}

async function quietMachine(pids: number[], tag: string): Promise<void> {
  const quiet = await waitForQuietMachine(pids, BUSY_MACHINE_SHARE, quietTimeoutMs, (share) =>
    progress(`${tag} waiting for a quiet machine (others use ${(share * 100).toFixed(0)} %)`),
  );
  if (!quiet) progress(`${tag} the machine stayed busy: figures may be unreliable`);
}

/** The refresh grant with rotation, through bench/servers/portcullis.ts. */
async function measureRefresh(metrics: boolean, round: number): Promise<Measurement> {
  const tag = `[refresh, metrics ${metrics ? 'on' : 'off'}, ${round}/${rounds}]`;
  const saved = process.env['PORTCULLIS_BENCH_METRICS'];
  // startServerProcess passes this process's environment on.
  process.env['PORTCULLIS_BENCH_METRICS'] = metrics ? '1' : '';
  const child = await startServerProcess({
    cwd: root,
    script: 'bench/servers/portcullis.ts',
    tokens: connections,
    cpu: pinning.server,
    nodeFlags: [],
    log: (line) => progress(`${tag} ${line}`),
  }).finally(() => {
    process.env['PORTCULLIS_BENCH_METRICS'] = saved;
  });
  try {
    const { announcement } = child;
    const load = (seconds: number, tokens: readonly string[]) =>
      runRotatingLoad({
        url: announcement.url,
        tokenPath: announcement.tokenPath,
        clientId: announcement.clientId,
        refreshTokens: tokens,
        expectRotation: true,
        seconds,
      });
    await load(warmup, announcement.refreshTokens);
    const pids = [process.pid, child.pid];
    await quietMachine(pids, tag);
    const tokens = await child.seed(connections);
    const probe = probeMachineLoad(pids);
    const result = await load(duration, tokens);
    const cpu = probe.finish();
    if (result.non2xx > 0 || result.errors > 0 || result.notRotated > 0)
      throw new Error(`${tag}: ${result.non2xx} non-2xx, ${result.errors} errors; ${result.firstFailure}`);
    const serverCpu = cpu?.cpuSeconds.get(child.pid);
    const measurement = {
      path: 'refresh' as const,
      metrics,
      round,
      reqPerSec: result.reqPerSec,
      p50Ms: result.p50Ms,
      serverCpuMicrosPerRequest: serverCpu === undefined ? undefined : (serverCpu * 1e6) / result.succeeded,
      otherCpuShare: cpu?.otherShare,
    };
    progress(`${tag} ${Math.round(measurement.reqPerSec)} req/s, ${measurement.serverCpuMicrosPerRequest?.toFixed(1) ?? 'n/a'} µs CPU/req`);
    return measurement;
  } finally {
    await child.stop();
  }
}

/** The gateway (check, session, identity headers, proxy) in front of a bare upstream, through bench/gateway/servers.ts. */
async function measureGateway(metrics: boolean, round: number): Promise<Measurement> {
  const tag = `[gateway, metrics ${metrics ? 'on' : 'off'}, ${round}/${rounds}]`;
  const { child, url, token } = await startGatewayServer(metrics, tag);
  try {
    await runFixedLoad({ url, token, connections, seconds: warmup });
    const pids = [process.pid, child.pid!];
    await quietMachine(pids, tag);
    const probe = probeMachineLoad(pids);
    const result = await runFixedLoad({ url, token, connections, seconds: duration });
    const cpu = probe.finish();
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${tag}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    const serverCpu = cpu?.cpuSeconds.get(child.pid!);
    const measurement = {
      path: 'gateway' as const,
      metrics,
      round,
      reqPerSec: result.reqPerSec,
      p50Ms: result.p50Ms,
      serverCpuMicrosPerRequest: serverCpu === undefined ? undefined : (serverCpu * 1e6) / result.succeeded,
      otherCpuShare: cpu?.otherShare,
    };
    progress(`${tag} ${Math.round(measurement.reqPerSec)} req/s, ${measurement.serverCpuMicrosPerRequest?.toFixed(1) ?? 'n/a'} µs CPU/req`);
    return measurement;
  } finally {
    await stopChild(child);
  }
}

function startGatewayServer(metrics: boolean, tag: string): Promise<{ child: ChildProcess; url: string; token: string }> {
  const nodeArgs = ['--import', 'tsx', 'bench/gateway/servers.ts', '--kind', 'gateway'];
  const [command, args] = pinning.server === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', pinning.server, process.execPath, ...nodeArgs]];
  const child = spawn(command, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: childEnv(metrics) });
  createInterface({ input: child.stderr! }).on('line', (line) => progress(`${tag} ${line}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${tag}: no announcement in 60 s`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${tag}: the server exited (${code})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const message = (JSON.parse(line) as Record<string, { url: string; token: string } | undefined>)[ANNOUNCEMENT_KEY];
        if (message === undefined) return;
        clearTimeout(timer);
        resolve({ child, ...message });
      } catch {
        progress(`${tag} ${line}`);
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin!.end();
  });
}

/**
 * What one token request's metrics cost in this process, in ns: the bound cells a request touches
 * (its endpoint's status counter and latency histogram, the tokens-issued counter), against the
 * same with prom-client's labelled `inc` and `observe`. Steadier than the servers' difference on a
 * shared machine, and what the difference should be made of.
 */
function microCosts(): { boundNs: number; promClientNs: number } {
  const iterations = 1_000_000;
  const metrics = createPortcullisMetrics();
  const registry = new Registry();
  const requests = new Counter({ name: 'r_total', help: 'r', labelNames: ['endpoint', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'l_seconds', help: 'l', labelNames: ['endpoint'], buckets: [...LATENCY_BUCKETS_SECONDS], registers: [registry] });
  const issued = new Counter({ name: 'i_total', help: 'i', labelNames: ['grant_type'], registers: [registry] });
  const time = (step: (i: number) => void) => {
    for (let i = 0; i < iterations / 10; i++) step(i);
    const started = performance.now();
    for (let i = 0; i < iterations; i++) step(i);
    return ((performance.now() - started) * 1e6) / iterations;
  };
  const bound = (i: number) => {
    metrics.http.token.observe(200, (i % 100) / 10_000);
    metrics.oauth.tokenIssued('refresh_token');
  };
  const promClient = (i: number) => {
    requests.inc({ endpoint: 'token', status: '200' });
    latency.observe({ endpoint: 'token' }, (i % 100) / 10_000);
    issued.inc({ grant_type: 'refresh_token' });
  };
  const boundNs = median([time(bound), time(bound), time(bound)]);
  const promClientNs = median([time(promClient), time(promClient), time(promClient)]);
  return { boundNs, promClientNs };
}

const micro = microCosts();
progress(`per token request, in process: bound cells ${micro.boundNs.toFixed(0)} ns, prom-client with labels ${micro.promClientNs.toFixed(0)} ns`);

const measurements: Measurement[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternating order: off first in odd rounds, on first in even ones.
  const order = round % 2 === 1 ? [false, true] : [true, false];
  for (const path of PATHS) {
    for (const metrics of order) measurements.push(await (path === 'refresh' ? measureRefresh(metrics, round) : measureGateway(metrics, round)));
  }
}

const summarize = (path: HotPath, metrics: boolean) => {
  const runs = measurements.filter((m) => m.path === path && m.metrics === metrics);
  const cpu = runs.map((r) => r.serverCpuMicrosPerRequest).filter((v): v is number => v !== undefined);
  return {
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    serverCpuMicrosPerRequest: cpu.length === 0 ? undefined : median(cpu),
  };
};
const paths = PATHS.map((path) => {
  const off = summarize(path, false);
  const on = summarize(path, true);
  const byThroughput = ((off.reqPerSec - on.reqPerSec) / off.reqPerSec) * 100;
  const byCpu =
    off.serverCpuMicrosPerRequest === undefined || on.serverCpuMicrosPerRequest === undefined
      ? undefined
      : ((on.serverCpuMicrosPerRequest - off.serverCpuMicrosPerRequest) / off.serverCpuMicrosPerRequest) * 100;
  return { path, off, on, costPercent: { byThroughput, byCpu }, met: byThroughput < TARGET_PERCENT };
});
const report = {
  benchmark: 'the cost of metrics on the token and gateway paths',
  date: new Date().toISOString(),
  node: process.version,
  machine,
  pinning: pinning.description,
  settings: { durationSeconds: duration, warmupSeconds: warmup, connections, rounds },
  targetPercent: TARGET_PERCENT,
  paths,
  microCostsPerTokenRequestNs: micro,
  machineBusy: measurements.some((m) => (m.otherCpuShare ?? 0) > BUSY_MACHINE_SHARE),
  measurements,
};
const resultsFile = join(root, 'bench', 'results', 'metrics-cost.json');
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(`${formatTable()}\nresults: ${relative(process.cwd(), resultsFile)}\n`);

function formatTable(): string {
  const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`);
  const cpu = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1));
  const lines = [
    `Metrics cost — ${report.date}, Node ${report.node}, ${machine}, ${pinning.description}`,
    `${connections} connections × ${duration} s after ${warmup} s warm-up; medians of ${rounds} interleaved rounds`,
    '',
    `${'path'.padEnd(10)} ${'req/s off'.padStart(10)} ${'req/s on'.padStart(10)} ${'CPU µs off'.padStart(11)} ${'CPU µs on'.padStart(10)} ${'cost req/s'.padStart(11)} ${'cost CPU'.padStart(9)}  target < ${TARGET_PERCENT} %`,
    ...paths.map(
      (p) =>
        `${p.path.padEnd(10)} ${p.off.reqPerSec.toFixed(0).padStart(10)} ${p.on.reqPerSec.toFixed(0).padStart(10)} ${cpu(p.off.serverCpuMicrosPerRequest).padStart(11)} ${cpu(p.on.serverCpuMicrosPerRequest).padStart(10)} ${pct(p.costPercent.byThroughput).padStart(11)} ${pct(p.costPercent.byCpu).padStart(9)}  ${p.met ? 'PASS' : 'FAIL'}`,
    ),
  ];
  lines.push(
    '',
    `per token request in process: ${micro.boundNs.toFixed(0)} ns with bound cells (${micro.promClientNs.toFixed(0)} ns with prom-client's labelled inc/observe)`,
  );
  if (report.machineBusy) lines.push('', 'WARNING: other processes took more than 5 % of the CPUs during a measurement; the figures are unreliable.');
  return `${lines.join('\n')}\n`;
}
