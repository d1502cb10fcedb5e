/**
 * The gateway's costs, on loopback, against references measured in the same run (docs/design.md
 * and README.md, "Performance"): bearer validation ≥ 80 % of bare node:http's req/s, and the proxy's p50
 * overhead over calling the upstream directly < 1 ms.
 *
 *   npm run bench:gateway -- [--duration 10] [--warmup 3] [--connections 10] [--rounds 1] [--json] [--only a,b] [--no-pin]
 *
 * Each server runs in its own process (bench/gateway/servers.ts --kind K), pinned to CPU 1; this
 * process is the load generator on CPU 0. Every server answers the same JSON-RPC body; see
 * bench/README.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ANNOUNCEMENT_KEY, KINDS, type ServerKind } from './gateway/kinds.js';
import { type FixedLoadResult, runFixedLoad } from './gateway/load.js';
import { probeMachineLoad, waitForQuietMachine } from './support/machine-load.js';
import { fatal, median, pinProcesses, positiveInteger, progress } from './support/run-options.js';

const LABELS: Record<ServerKind, string> = {
  bare: 'bare node:http (ceiling; also the upstream called directly)',
  hono: "Hono on @hono/node-server, no check (the gateway's stack alone)",
  'guard-hono': 'token check on Hono (bearerAuth middleware)',
  'guard-node': 'token check alone (node:http, protectNodeHttpListener)',
  'sdk-express': 'MCP SDK requireBearerAuth on Express (jose, no cache)',
  gateway: 'gateway: check + session + identity headers + proxy → bare upstream',
};
const GUARD_TARGET = 0.8;
const OVERHEAD_TARGET_MS = 1;
const BUSY_MACHINE_SHARE = 0.05;

interface Measurement {
  round: number;
  throughput: FixedLoadResult;
  /** One connection: latency without queueing. */
  single: FixedLoadResult;
  serverCpuMicrosPerRequest: number | undefined;
  otherCpuShare: number | undefined;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    `npm run bench:gateway -- [--duration S] [--warmup S] [--connections N] [--rounds N] [--json] [--only a,b] [--no-pin]\nservers: ${KINDS.join(', ')}\n`,
  );
  process.exit(0);
}
const duration = positiveInteger('--duration', values.duration);
const warmup = positiveInteger('--warmup', values.warmup);
const connections = positiveInteger('--connections', values.connections);
const rounds = positiveInteger('--rounds', values.rounds);
const selected =
  values.only === undefined
    ? [...KINDS]
    : KINDS.filter((k) =>
        values
          .only!.split(',')
          .map((s) => s.trim())
          .includes(k),
      );
if (selected.length === 0) fatal(`--only names none of: ${KINDS.join(', ')}`);
const machine = `${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}`;
const pinning = pinProcesses(!values['no-pin']);

/** Starts one server process and waits for its announcement. */
function startServer(kind: ServerKind): Promise<{ child: ChildProcess; url: string; token: string }> {
  const nodeArgs = ['--import', 'tsx', 'bench/gateway/servers.ts', '--kind', kind];
  const [command, args] = pinning.server === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', pinning.server, process.execPath, ...nodeArgs]];
  const child = spawn(command, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  createInterface({ input: child.stderr! }).on('line', (line) => progress(`  [${kind}] ${line}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind}: no announcement in 60 s`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited (${code})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const message = (JSON.parse(line) as Record<string, { url: string; token: string }>)[ANNOUNCEMENT_KEY];
        if (message !== undefined) {
          clearTimeout(timer);
          resolve({ child, ...message });
        }
      } catch {
        progress(`  [${kind}] ${line}`);
      }
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin!.end();
  });
}

async function measure(kind: ServerKind, round: number): Promise<Measurement> {
  const { child, url, token } = await startServer(kind);
  try {
    const pids = [process.pid, child.pid!];
    if (
      !(await waitForQuietMachine(pids, BUSY_MACHINE_SHARE, 120_000, (share) =>
        progress(`  waiting for a quiet machine (others use ${(share * 100).toFixed(0)} %)`),
      ))
    ) {
      progress('  the machine stayed busy: figures may be unreliable');
    }
    progress(`${kind} (round ${round}): warm-up ${warmup} s, ${connections} connections ${duration} s, then 1 connection ${duration} s`);
    await runFixedLoad({ url, token, connections, seconds: warmup });
    const probe = probeMachineLoad(pids);
    const throughput = await runFixedLoad({ url, token, connections, seconds: duration });
    const load = probe.finish();
    const single = await runFixedLoad({ url, token, connections: 1, seconds: duration });
    if (throughput.non2xx > 0 || throughput.errors > 0 || single.non2xx > 0)
      throw new Error(`${kind}: ${throughput.non2xx + single.non2xx} non-2xx answers, ${throughput.errors} errors`);
    const serverCpu = load?.cpuSeconds.get(child.pid!);
    return {
      round,
      throughput,
      single,
      serverCpuMicrosPerRequest: serverCpu === undefined || throughput.succeeded === 0 ? undefined : (serverCpu * 1e6) / throughput.succeeded,
      otherCpuShare: load?.otherShare,
    };
  } finally {
    await stopServer(child);
  }
}

const measurements = new Map<ServerKind, Measurement[]>(selected.map((k) => [k, []]));
for (let round = 1; round <= rounds; round++) {
  for (const kind of selected) measurements.get(kind)!.push(await measure(kind, round));
}

const servers = selected.map((kind) => {
  const runs = measurements.get(kind)!;
  const cpu = runs.map((r) => r.serverCpuMicrosPerRequest).filter((v): v is number => v !== undefined);
  return {
    name: kind,
    label: LABELS[kind],
    reqPerSec: median(runs.map((r) => r.throughput.reqPerSec)),
    p50Ms: median(runs.map((r) => r.throughput.p50Ms)),
    p99Ms: median(runs.map((r) => r.throughput.p99Ms)),
    singleConnectionP50Ms: median(runs.map((r) => r.single.p50Ms)),
    serverCpuMicrosPerRequest: cpu.length === 0 ? undefined : median(cpu),
    otherCpuShare: Math.max(0, ...runs.map((r) => r.otherCpuShare ?? 0)),
    rounds: runs,
  };
});
const find = (name: ServerKind) => servers.find((s) => s.name === name);
const over = (name: ServerKind, reference: ServerKind) => {
  const a = find(name)?.reqPerSec;
  const b = find(reference)?.reqPerSec;
  return a === undefined || b === undefined ? null : a / b;
};
const overBare = (name: ServerKind) => over(name, 'bare');
const overheadMs = (pick: 'p50Ms' | 'singleConnectionP50Ms') => {
  const gateway = find('gateway')?.[pick];
  const direct = find('bare')?.[pick];
  return gateway === undefined || direct === undefined ? null : gateway - direct;
};
const report = {
  benchmark: 'gateway: bearer check and proxy overhead',
  date: new Date().toISOString(),
  node: process.version,
  machine,
  pinning: pinning.description,
  settings: { durationSeconds: duration, warmupSeconds: warmup, connections, rounds },
  servers,
  ratios: {
    guardHonoOverBare: { value: overBare('guard-hono'), target: GUARD_TARGET },
    guardHonoOverHono: { value: over('guard-hono', 'hono') },
    guardNodeOverBare: { value: overBare('guard-node'), target: GUARD_TARGET },
    sdkExpressOverBare: { value: overBare('sdk-express') },
    gatewayOverDirect: { value: overBare('gateway') },
    proxyOverheadP50Ms: { singleConnection: overheadMs('singleConnectionP50Ms'), atConnections: overheadMs('p50Ms'), target: OVERHEAD_TARGET_MS },
  },
  machineBusy: servers.some((s) => s.otherCpuShare > BUSY_MACHINE_SHARE),
};

const resultsFile = join(root, 'bench', 'results', 'gateway.json');
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(`${formatTable()}\nresults: ${relative(process.cwd(), resultsFile)}\n`);

function formatTable(): string {
  const fixed = (n: number | undefined, digits: number) => (n === undefined ? '—' : n.toFixed(digits));
  const lines = [
    `Gateway benchmark — ${report.date}, Node ${report.node}, ${machine}, ${pinning.description}`,
    `${connections} connections × ${duration} s after ${warmup} s warm-up, then 1 connection × ${duration} s; medians of ${rounds} round(s)`,
    '',
    `${'server'.padEnd(72)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'1-conn p50'.padStart(10)} ${'CPU µs/req'.padStart(10)}`,
    ...servers.map(
      (s) =>
        `${s.label.padEnd(72)} ${s.reqPerSec.toFixed(0).padStart(8)} ${fixed(s.p50Ms, 3).padStart(7)} ${fixed(s.p99Ms, 3).padStart(7)} ${fixed(s.singleConnectionP50Ms, 3).padStart(10)} ${fixed(s.serverCpuMicrosPerRequest, 0).padStart(10)}`,
    ),
    '',
  ];
  const verdict = (value: number | null, pass: (v: number) => boolean) => (value === null ? 'not measured' : pass(value) ? 'PASS' : 'FAIL');
  const {
    guardHonoOverBare: hono,
    guardHonoOverHono: honoCheck,
    guardNodeOverBare: node,
    sdkExpressOverBare: sdk,
    gatewayOverDirect: gw,
    proxyOverheadP50Ms: overhead,
  } = report.ratios;
  const ratio = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(0)} %`);
  lines.push(`token check (Hono) / bare node:http        ${ratio(hono.value)}   target ≥ 80 %: ${verdict(hono.value, (v) => v >= GUARD_TARGET)}`);
  lines.push(`token check (node:http) / bare node:http   ${ratio(node.value)}   target ≥ 80 %: ${verdict(node.value, (v) => v >= GUARD_TARGET)}`);
  if (honoCheck.value !== null) lines.push(`token check (Hono) / Hono without check    ${ratio(honoCheck.value)}   (the check's own share on Hono)`);
  lines.push(`MCP SDK requireBearerAuth / bare node:http ${ratio(sdk.value)}`);
  lines.push(`gateway / upstream called directly         ${ratio(gw.value)}`);
  lines.push(
    `proxy overhead at p50, 1 connection        ${overhead.singleConnection === null ? '—' : `${overhead.singleConnection.toFixed(3)} ms`}   target < 1 ms: ${verdict(overhead.singleConnection, (v) => v < OVERHEAD_TARGET_MS)}`,
  );
  lines.push(
    `proxy overhead at p50, ${connections} connections      ${overhead.atConnections === null ? '—' : `${overhead.atConnections.toFixed(3)} ms`} (includes queueing behind other requests)`,
  );
  if (report.machineBusy) lines.push('WARNING: other processes took more than 5 % of the CPUs during a measurement; the figures are unreliable.');
  return `${lines.join('\n')}\n`;
}
