/**
 * A soak run (issue 15, "Crashes and shutdowns lose nothing"): `portcullis serve` under a steady
 * load of full authorization-code + PKCE flows and refresh rotations for minutes, its memory and
 * file descriptors sampled every few seconds, and a verdict on whether they are flat after warm-up.
 *
 *   npm run bench:soak -- [--minutes 3] [--rate 200] [--db sqlite|postgres|URL] [--interval 5] [--json]
 *
 * The server is the real CLI in its own process; this one drives the load and reads /proc.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { discover } from '../test/support/authorization-flow.js';
import { CLI_MAIN, runCli } from '../test/support/cli-process.js';
import { addUserToDatabase } from '../test/support/serve-process.js';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../test/support/stores.js';
import { prepareLoadClients } from '../test/support/token-family-load.js';
import { startBenchChild } from './support/bench-child.js';
import { createProcessSampler, type ProcessSample, slopePerMinute } from './support/process-sampler.js';
import { fatal, positiveInteger, progress } from './support/run-options.js';
import { startSteadyLoad } from './support/steady-token-load.js';

const FLAT_RSS_MB_PER_MIN = 2;
const FLAT_FD_GROWTH = 5;

const HELP = `Usage: npm run bench:soak -- [options]

Runs portcullis serve under a steady load of authorization-code + PKCE flows and refresh
rotations, samples the server's memory (RSS, V8 heap when /metrics is there) and open file
descriptors, and says whether they stay flat after warm-up.

Options:
  --minutes M      how long the load runs (default 3; fractions allowed)
  --rate N         operations started per second, half flows and half rotations (default 200)
  --db DB          sqlite (a fresh file, default), postgres (a fresh database on PORTCULLIS_TEST_POSTGRES
                   or postgres://postgres@127.0.0.1:5432/postgres), or a sqlite:PATH / postgres:// URL used as is
  --interval S     seconds between samples (default 5)
  --clients N      signed-in users' clients sharing the load (default 8)
  --json           the samples and the verdict as JSON on stdout (progress stays on stderr)
  -h, --help       this text

Flat means: the RSS slope over the second half (the first is warm-up) under ${FLAT_RSS_MB_PER_MIN} MB/min, and at most
${FLAT_FD_GROWTH} more file descriptors at rest after the load (idle connections closed) than before it. Exit status: 0 flat and no failed operation, 1 otherwise,
2 for a bad option.`;
const SECRET = 'soak-master-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const LOGIN = { username: 'soak-user', password: 'soak password 0123456789' };

function parseOptions() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string', default: '3' },
      rate: { type: 'string', default: '200' },
      db: { type: 'string', default: 'sqlite' },
      interval: { type: 'string', default: '5' },
      clients: { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function options() {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (error) {
    fatal(`${(error as Error).message}\n\n${HELP}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const minutes = Number(parsed.values.minutes);
  if (!(minutes > 0) || minutes > 24 * 60) fatal(`--minutes must be a number of minutes above 0, not "${parsed.values.minutes}"`);
  const db = parsed.values.db;
  if (!['sqlite', 'postgres'].includes(db) && !db.startsWith('sqlite:') && !db.startsWith('postgres://') && !db.startsWith('postgresql://')) {
    fatal(`--db must be sqlite, postgres, sqlite:PATH or a postgres:// URL, not "${db}"`);
  }
  return {
    minutes,
    rate: positiveInteger('--rate', parsed.values.rate),
    db,
    interval: positiveInteger('--interval', parsed.values.interval),
    clients: positiveInteger('--clients', parsed.values.clients),
    json: parsed.values.json,
  };
}

const opts = options();
const root = new URL('..', import.meta.url).pathname;
const logDir = mkdtempSync(join(tmpdir(), 'portcullis-soak-'));

async function openDatabase(): Promise<{ url: string; fresh?: TestDatabase }> {
  if (opts.db === 'sqlite') {
    const fresh = createSqliteDatabase();
    return { url: fresh.url, fresh };
  }
  if (opts.db === 'postgres') {
    const fresh = await createPostgresDatabase();
    return { url: fresh.url, fresh };
  }
  return { url: opts.db };
}

/** `--metrics-port 0` when this `serve` has it, for the heap; else RSS alone. */
async function metricsArgs(): Promise<string[]> {
  const help = await runCli(['serve', '--help']);
  return help.stdout.includes('--metrics-port') ? ['--metrics-port', '0'] : [];
}

const mb = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(1));

async function main(): Promise<number> {
  const database = await openDatabase();
  try {
    await addUserToDatabase(database.url, LOGIN.username, LOGIN.password).catch((error: unknown) => {
      // An existing database may already have the user.
      if (!/unique|exists/i.test(String(error))) throw error;
    });
    const extra = await metricsArgs();
    const child = startBenchChild({
      name: 'serve',
      command: process.execPath,
      args: ['--import', 'tsx', CLI_MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', database.url, '--json', ...extra],
      cwd: root,
      env: { PORTCULLIS_SECRET: SECRET, NODE_ENV: 'production' },
      stderrFile: join(logDir, 'serve.log'),
    });
    let collected: string[] | undefined;
    const summary = await child.waitForLine<Record<string, unknown>>('startup summary', (line) => {
      if (line === '{') collected = [];
      if (collected === undefined) return undefined;
      collected.push(line);
      return line === '}' ? (JSON.parse(collected.join('\n')) as Record<string, unknown>) : undefined;
    });
    try {
      return await soak(child.pid, summary);
    } finally {
      await child.stop('SIGTERM');
    }
  } finally {
    await database.fresh?.destroy();
  }
}

async function soak(pid: number, summary: Record<string, unknown>): Promise<number> {
  const url = String(summary['listening']);
  const metricsUrl = Array.isArray(summary['metrics']) ? (summary['metrics'] as string[]).find((m) => /^http:\/\/\S+\/metrics$/.test(m)) : undefined;
  const as = await discover(url);
  const resource = `${url}/mcp`;
  const clients = await prepareLoadClients(as, LOGIN, resource, opts.clients);
  const sample = createProcessSampler(pid, metricsUrl);
  const samples: (ProcessSample & { opsPerSecond: number; failures: number })[] = [];
  progress(`soak: ${opts.rate} operations/s (flows and rotations) for ${opts.minutes} min against ${url} (${database(summary)}), pid ${pid}`);
  progress(`heap from ${metricsUrl ?? '— (no /metrics: RSS only)'}; logs in ${logDir}`);
  progress(`${'t (s)'.padStart(6)} ${'ops/s'.padStart(6)} ${'failed'.padStart(6)} ${'RSS MB'.padStart(7)} ${'heap MB'.padStart(7)} ${'fds'.padStart(5)}`);

  // Descriptors at rest, before and after: under load they count the connections in flight.
  const restingBefore = (await sample()).fds;
  const load = startSteadyLoad({ as, clients, resource, rate: opts.rate, refreshShare: 0.5 });
  const endAt = performance.now() + opts.minutes * 60_000;
  let lastOps = 0;
  let lastAt = 0;
  for (;;) {
    const s = await sample();
    const ops = load.counts.flows + load.counts.rotations;
    const opsPerSecond = s.at > lastAt ? (ops - lastOps) / (s.at - lastAt) : 0;
    lastOps = ops;
    lastAt = s.at;
    samples.push({ ...s, opsPerSecond, failures: load.counts.failures });
    progress(
      `${s.at.toFixed(0).padStart(6)} ${opsPerSecond.toFixed(0).padStart(6)} ${String(load.counts.failures).padStart(6)} ${mb(s.rssMb).padStart(7)} ${mb(s.heapMb).padStart(7)} ${String(s.fds).padStart(5)}`,
    );
    if (performance.now() >= endAt) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(opts.interval * 1000, Math.max(0, endAt - performance.now()))));
  }
  await load.stop();
  // Idle keep-alive connections close after 5 s (the server's keepAliveTimeout; undici's is 4 s).
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const restingAfter = (await sample()).fds;

  // Warm-up is the first half: V8's heap and SQLite's page cache grow to their working size there.
  const secondHalf = samples.filter((s) => s.at >= samples.at(-1)!.at / 2);
  const rssSlope = slopePerMinute(secondHalf.map((s) => ({ at: s.at, value: s.rssMb })));
  const heapPoints = secondHalf.filter((s) => s.heapMb !== undefined).map((s) => ({ at: s.at, value: s.heapMb! }));
  const heapSlope = slopePerMinute(heapPoints);
  const flat = rssSlope !== undefined && rssSlope < FLAT_RSS_MB_PER_MIN && restingAfter - restingBefore <= FLAT_FD_GROWTH;
  const seconds = samples.at(-1)!.at;
  const result = {
    minutes: opts.minutes,
    rate: opts.rate,
    database: database(summary),
    flows: load.counts.flows,
    rotations: load.counts.rotations,
    achievedOpsPerSecond: (load.counts.flows + load.counts.rotations) / seconds,
    failures: load.counts.failures,
    failureKinds: Object.fromEntries(load.counts.failureKinds),
    skipped: load.counts.skipped,
    rssMb: { first: samples[0]!.rssMb, halfway: secondHalf[0]!.rssMb, last: samples.at(-1)!.rssMb, max: Math.max(...samples.map((s) => s.rssMb)) },
    rssSlopeMbPerMinute: rssSlope,
    heapSlopeMbPerMinute: heapSlope,
    fds: { restingBefore, maxUnderLoad: Math.max(...samples.map((s) => s.fds)), restingAfter },
    flat,
    samples,
  };
  const lines = [
    `${result.flows} flows + ${result.rotations} rotations in ${seconds.toFixed(0)} s: ${result.achievedOpsPerSecond.toFixed(0)} ops/s of ${opts.rate} asked; ${result.failures} failed, ${result.skipped} skipped (64 in flight)`,
    `RSS ${mb(result.rssMb.first)} → ${mb(result.rssMb.halfway)} (halfway) → ${mb(result.rssMb.last)} MB, max ${mb(result.rssMb.max)}; slope over the second half ${rssSlope?.toFixed(2) ?? '—'} MB/min`,
    `heap slope over the second half ${heapSlope?.toFixed(2) ?? '—'} MB/min; file descriptors at rest ${restingBefore} before, ${restingAfter} after (at most ${result.fds.maxUnderLoad} under load)`,
    flat
      ? 'memory and descriptors flat after warm-up'
      : `NOT flat (RSS slope must be under ${FLAT_RSS_MB_PER_MIN} MB/min, fd growth at most ${FLAT_FD_GROWTH})`,
  ];
  if (result.failures > 0) lines.push(`failures: ${JSON.stringify(result.failureKinds)}`);
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${lines.join('\n')}\n`);
  if (!opts.json)
    progress(
      `server log: ${
        readFileSync(join(logDir, 'serve.log'), 'utf8')
          .split('\n')
          .filter((l) => /"level":[56]0/.test(l)).length
      } error lines`,
    );
  return flat && result.failures === 0 ? 0 : 1;
}

function database(summary: Record<string, unknown>): string {
  return String(summary['database'] ?? 'unknown');
}

main().then(
  (code) => {
    if (code === 0) rmSync(logDir, { recursive: true, force: true });
    process.exit(code);
  },
  (error: unknown) => {
    progress(`soak failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
