/**
 * Refresh-token grant with rotation, on loopback, against four servers in one run (DESIGN.md,
 * Performance: Portcullis on SQLite ≥ 2.5× oidc-provider's token endpoint).
 *
 *   npm run bench -- [--duration 10] [--warmup 2] [--connections 10] [--rounds 1] [--json]
 *                    [--only portcullis,oidc-provider] [--no-pin] [--cpu-prof]
 *
 * Each server runs in its own child process (bench/servers/*.ts); this process is the load
 * generator. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { probeMachineLoad, waitForQuietMachine } from './support/machine-load.js';
import { type LoadResult, runRotatingLoad } from './support/rotating-load.js';
import { fatal, median, nonNegativeInteger, pinProcesses, positiveInteger, progress } from './support/run-options.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';

interface ServerUnderBench {
  name: string;
  label: string;
  script: string;
  /** Run only when named in --only. */
  optIn?: boolean;
}

const SERVERS: readonly ServerUnderBench[] = [
  { name: 'portcullis', label: 'Portcullis (SQLite file)', script: 'bench/servers/portcullis.ts' },
  { name: 'oidc-provider', label: 'oidc-provider 9 (memory)', script: 'bench/servers/oidc-provider.ts' },
  { name: 'mcp-auth-router', label: 'MCP SDK mcpAuthRouter (Map)', script: 'bench/servers/mcp-auth-router.ts' },
  { name: 'bare-http', label: 'bare node:http (ceiling)', script: 'bench/servers/bare-http.ts' },
  { name: 'oidc-provider-map', label: 'oidc-provider 9 (Map adapter)', script: 'bench/servers/oidc-provider-map-adapter.ts', optIn: true },
  { name: 'hono-floor', label: 'Hono on @hono/node-server, fixed body', script: 'bench/servers/hono-floor.ts', optIn: true },
];

/** DESIGN.md, Performance. */
const TARGET_OVER_OIDC_PROVIDER = 2.5;
/** Above this share of the machine's CPU taken by other processes during a measurement, measure again. */
const BUSY_MACHINE_SHARE = 0.05;
/** How long to wait for a busy machine to quiet down before each measurement. */
const QUIET_WAIT_MS = 120_000;

interface Measurement extends LoadResult {
  round: number;
  /** Measurements taken: more than 1 when the machine was busy and the measurement was repeated. */
  attempts: number;
  /** Server process CPU time (all its threads) per response, µs (undefined off Linux). */
  serverCpuMicrosPerRequest: number | undefined;
  /** The load generator's CPU use, share of one CPU; near 1 means it, not the server, was the limit. */
  loadGeneratorCpuShare: number | undefined;
  /** Share of all CPUs used by other processes while measuring (undefined off Linux). */
  otherCpuShare: number | undefined;
}

interface ServerSummary {
  name: string;
  label: string;
  /** Medians over the rounds. */
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicrosPerRequest: number | undefined;
  loadGeneratorCpuShare: number | undefined;
  succeeded: number;
  non2xx: number;
  /** The highest over the rounds. */
  otherCpuShare: number | undefined;
  rounds: Measurement[];
}

interface Failure {
  server: string;
  round: number;
  phase: 'start' | 'warm-up' | 'measure';
  message: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    'busy-retries': { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(
    'npm run bench -- [--duration S] [--warmup S] [--connections N] [--rounds N] [--busy-retries N] [--json] [--only a,b] [--no-pin] [--cpu-prof]\n' +
      `servers: ${SERVERS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(0);
}

const duration = positiveInteger('--duration', values.duration);
const warmup = positiveInteger('--warmup', values.warmup);
const connections = positiveInteger('--connections', values.connections);
const rounds = positiveInteger('--rounds', values.rounds);
const busyRetries = nonNegativeInteger('--busy-retries', values['busy-retries']);
const only = values.only?.split(',').map((n) => n.trim());
const selected = only === undefined ? SERVERS.filter((s) => s.optIn !== true) : SERVERS.filter((s) => only.includes(s.name));
if (selected.length === 0) fatal(`--only names none of: ${SERVERS.map((s) => s.name).join(', ')}`);
const profileDir = join(root, 'bench', 'results', 'profiles');
const nodeFlags = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
// Read before pinning: availableParallelism() follows this process's CPU affinity.
const machine = `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}`;
const pinning = pinProcesses(!values['no-pin']);

const measurements = new Map<string, Measurement[]>(selected.map((s) => [s.name, []]));
const failures: Failure[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const server of selected) {
    const outcome = await benchServer(server, round);
    if ('failure' in outcome) failures.push(outcome.failure);
    else measurements.get(server.name)!.push(outcome.measurement);
  }
}

const servers: ServerSummary[] = selected.flatMap((s) => {
  const runs = measurements.get(s.name)!;
  if (runs.length === 0) return [];
  const defined = (pick: (m: Measurement) => number | undefined) => runs.map(pick).filter((v): v is number => v !== undefined);
  const shares = defined((r) => r.otherCpuShare);
  const cpuPerRequest = defined((r) => r.serverCpuMicrosPerRequest);
  const loadGenerator = defined((r) => r.loadGeneratorCpuShare);
  return [
    {
      name: s.name,
      label: s.label,
      reqPerSec: median(runs.map((r) => r.reqPerSec)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      serverCpuMicrosPerRequest: cpuPerRequest.length === 0 ? undefined : median(cpuPerRequest),
      loadGeneratorCpuShare: loadGenerator.length === 0 ? undefined : median(loadGenerator),
      succeeded: runs.reduce((sum, r) => sum + r.succeeded, 0),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
      otherCpuShare: shares.length === 0 ? undefined : Math.max(...shares),
      rounds: runs,
    },
  ];
});
const rate = (name: string) => servers.find((r) => r.name === name)?.reqPerSec;
const ratio = (over: string) => {
  const a = rate('portcullis');
  const b = rate(over);
  return a === undefined || b === undefined || b === 0 ? null : a / b;
};
const overOidc = ratio('oidc-provider');
/** The same comparison by server CPU per request (theirs / ours): steadier on a shared machine. */
const cpuRatio = (over: string) => {
  const ours = servers.find((r) => r.name === 'portcullis')?.serverCpuMicrosPerRequest;
  const theirs = servers.find((r) => r.name === over)?.serverCpuMicrosPerRequest;
  return ours === undefined || theirs === undefined || ours === 0 ? null : theirs / ours;
};
const busiest = Math.max(0, ...servers.map((s) => s.otherCpuShare ?? 0));
const report = {
  benchmark: 'refresh_token grant with rotation',
  date: new Date().toISOString(),
  node: process.version,
  machine,
  pinning: pinning.description,
  settings: { durationSeconds: duration, warmupSeconds: warmup, connections, pipelining: 1, rounds, busyRetries },
  servers,
  ratios: {
    portcullisOverOidcProvider: {
      value: overOidc,
      byServerCpu: cpuRatio('oidc-provider'),
      target: TARGET_OVER_OIDC_PROVIDER,
      met: overOidc === null ? null : overOidc >= TARGET_OVER_OIDC_PROVIDER,
    },
    portcullisOverMcpAuthRouter: { value: ratio('mcp-auth-router'), byServerCpu: cpuRatio('mcp-auth-router') },
    portcullisOverBareHttp: { value: ratio('bare-http'), byServerCpu: cpuRatio('bare-http') },
  },
  machineBusy: busiest > BUSY_MACHINE_SHARE,
  failures,
};

const resultsFile = join(root, 'bench', 'results', 'refresh-token.json');
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  process.stdout.write(formatTable(report));
  process.stdout.write(`\nresults: ${relative(process.cwd(), resultsFile)}\n`);
  if (values['cpu-prof']) process.stdout.write(`profiles: ${relative(process.cwd(), profileDir)} (summarise with bench/support/profile-summary.ts)\n`);
}
if (failures.length > 0) {
  for (const f of failures) progress(`FAILED ${f.server}, round ${f.round} (${f.phase}): ${f.message}`);
  process.exit(1);
}

/** Starts one server, warms it up (every response checked), measures on fresh tokens, stops it. */
async function benchServer(server: ServerUnderBench, round: number): Promise<{ failure: Failure } | { measurement: Measurement }> {
  const tag = rounds > 1 ? `[${server.name} ${round}/${rounds}]` : `[${server.name}]`;
  const fail = (phase: Failure['phase'], error: unknown) => ({
    failure: { server: server.name, round, phase, message: error instanceof Error ? error.message : String(error) },
  });
  progress(`${tag} starting ${server.script}`);
  let child: ServerProcess;
  try {
    child = await startServerProcess({
      cwd: root,
      script: server.script,
      tokens: connections,
      cpu: pinning.server,
      nodeFlags,
      log: (line) => progress(`${tag} ${line}`),
    });
  } catch (error) {
    return fail('start', error);
  }
  const { announcement } = child;
  const load = (phase: string, seconds: number, tokens: readonly string[]) =>
    runRotatingLoad({
      url: announcement.url,
      tokenPath: announcement.tokenPath,
      clientId: announcement.clientId,
      refreshTokens: tokens,
      expectRotation: announcement.rotates,
      seconds,
      onProgress: (elapsed, ok) => progress(`${tag} ${phase} ${Math.min(elapsed, seconds)}/${seconds} s, ${ok} ok`),
    });
  try {
    const warm = await load('warm-up', warmup, announcement.refreshTokens);
    const warmProblem = problemWith(warm);
    if (warmProblem !== undefined) return fail('warm-up', warmProblem);
    for (let attempt = 1; ; attempt++) {
      const pids = [process.pid, child.pid];
      let waited = 0;
      const quiet = await waitForQuietMachine(pids, BUSY_MACHINE_SHARE, QUIET_WAIT_MS, (share) => {
        if (waited++ % 10 === 0) progress(`${tag} waiting for a quiet machine: other processes use ${percent(share)} of the CPUs`);
      });
      if (!quiet) progress(`${tag} the machine stayed busy for ${QUIET_WAIT_MS / 1000} s; measuring anyway`);
      // Fresh tokens: a request in flight when the last phase stopped may have spent a
      // connection's token without the client reading its successor.
      const tokens = await child.seed(connections);
      const probe = probeMachineLoad(pids);
      const measured = await load('measure', duration, tokens);
      const cpu = probe.finish();
      const problem = problemWith(measured);
      if (problem !== undefined) return fail('measure', problem);
      const serverCpu = cpu?.cpuSeconds.get(child.pid);
      const measurement: Measurement = {
        round,
        attempts: attempt,
        ...measured,
        serverCpuMicrosPerRequest: serverCpu === undefined ? undefined : (serverCpu * 1e6) / (measured.succeeded + measured.non2xx),
        loadGeneratorCpuShare: cpu === undefined ? undefined : cpu.cpuSeconds.get(process.pid)! / measured.seconds,
        otherCpuShare: cpu?.otherShare,
      };
      const busy = measurement.otherCpuShare !== undefined && measurement.otherCpuShare > BUSY_MACHINE_SHARE;
      progress(
        `${tag} ${Math.round(measured.reqPerSec)} req/s, p50 ${measured.p50Ms.toFixed(2)} ms, p99 ${measured.p99Ms.toFixed(2)} ms, ` +
          `server CPU ${measurement.serverCpuMicrosPerRequest?.toFixed(0) ?? 'n/a'} µs/req` +
          (busy ? `; other processes used ${percent(measurement.otherCpuShare!)} of the CPUs${attempt <= busyRetries ? ', measuring again' : ''}` : ''),
      );
      if (!busy || attempt > busyRetries) return { measurement };
    }
  } catch (error) {
    return fail('measure', error);
  } finally {
    await child.stop();
  }
}

/** A benchmark of errors is worthless: any non-2xx, socket error or unrotated token voids the run. */
function problemWith(result: LoadResult): string | undefined {
  if (result.succeeded === 0) return `no 2xx responses${result.firstFailure ? `; first: ${result.firstFailure}` : ''}`;
  const problems: string[] = [];
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx (${JSON.stringify(result.statusCodes)})`);
  if (result.errors > 0) problems.push(`${result.errors} socket errors (${result.timeouts} timeouts)`);
  if (result.notRotated > 0) problems.push(`${result.notRotated} 2xx without a new refresh_token`);
  if (problems.length === 0) return undefined;
  return `${problems.join(', ')}${result.firstFailure ? `; first: ${result.firstFailure}` : ''}`;
}

function formatTable(r: typeof report): string {
  const header = ['server', 'req/s (2xx)', 'p50 ms', 'p99 ms', 'non-2xx', '2xx total', 'server CPU µs/req', 'load gen CPU', 'other CPU'];
  const optional = (v: number | undefined, format: (n: number) => string) => (v === undefined ? 'n/a' : format(v));
  const rows = r.servers.map((s) => [
    s.label,
    s.reqPerSec.toFixed(0),
    s.p50Ms.toFixed(2),
    s.p99Ms.toFixed(2),
    String(s.non2xx),
    String(s.succeeded),
    optional(s.serverCpuMicrosPerRequest, (n) => n.toFixed(0)),
    optional(s.loadGeneratorCpuShare, percent),
    optional(s.otherCpuShare, percent),
  ]);
  for (const f of r.failures) rows.push([SERVERS.find((s) => s.name === f.server)!.label, `FAILED (${f.phase})`, ...header.slice(2).map(() => '')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const x = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)}×`);
  const target = r.ratios.portcullisOverOidcProvider;
  const ratioLine = (label: string, ratio: { value: number | null; byServerCpu: number | null }, note = '') =>
    `${label.padEnd(28)}  ${x(ratio.value).padStart(6)}  ${x(ratio.byServerCpu).padStart(14)}${note}`;
  const { settings } = r;
  return [
    `refresh_token grant with rotation · ${settings.connections} connections · pipelining 1 · ${settings.durationSeconds} s after ${settings.warmupSeconds} s warm-up` +
      (settings.rounds > 1 ? ` · median of ${settings.rounds} rounds` : ''),
    `${r.node} · ${r.machine} · ${r.pinning}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${'ratio'.padEnd(28)}  ${'req/s'.padStart(6)}  ${'CPU per req'.padStart(14)}`,
    ratioLine('Portcullis / oidc-provider', target, `   target ≥ ${target.target}× (req/s): ${target.met === null ? 'n/a' : target.met ? 'met' : 'NOT met'}`),
    ratioLine('Portcullis / mcpAuthRouter', r.ratios.portcullisOverMcpAuthRouter),
    ratioLine('Portcullis / bare node:http', r.ratios.portcullisOverBareHttp),
    ...(r.machineBusy ? ['', `WARNING: other processes used up to ${percent(busiest)} of the CPUs during a measurement; the figures are unreliable.`] : []),
    '',
  ].join('\n');
}

/**
 * With two or more CPUs and taskset available, the load generator (this process) takes CPU 0 and
 * each server CPU 1, so neither borrows the other's core (the server's libuv pool included).
 */

function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`;
}
