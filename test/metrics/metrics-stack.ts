/** What the health and metrics tests share: `serve` in process with metrics on, and a Prometheus text parser. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { MetricsSettings } from '../../src/cli/serve-metrics.js';
import { type ServeStack, startServeStack } from '../../src/cli/serve-stack.js';
import { DEMO_SERVER_SETTINGS, demoGatewaySettings } from '../../src/example/demo-settings.js';
import { createLogger } from '../../src/server/logger.js';
import type { Store } from '../../src/store/types.js';
import { TEST_SECRET } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';

export interface MetricsStack {
  stack: ServeStack;
  store: Store;
  database: TestDatabase;
  /** Every log line, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The real serve stack on a fresh database, with the gateway in front of `upstream` when given. */
export async function startMetricsStack(options: { dialect: 'sqlite' | 'postgres'; metrics?: MetricsSettings; upstream?: string }): Promise<MetricsStack> {
  const database = await createTestDatabase(options.dialect);
  const store = await database.open();
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger: Logger = createLogger({ level: 'info', destination: sink });
  const stack = await startServeStack({
    store,
    secrets: [TEST_SECRET],
    logger,
    port: 0,
    host: '127.0.0.1',
    settings: DEMO_SERVER_SETTINGS,
    ...(options.upstream !== undefined ? { gateway: { ...demoGatewaySettings(options.upstream), challengeAllScopes: false } } : {}),
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    sweepIntervalMs: false,
  });
  return {
    stack,
    store,
    database,
    logs,
    async close() {
      await stack.close();
      await store.close();
      await database.destroy();
    },
  };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** `# TYPE` of each family. */
  types: Map<string, string>;
  samples: Sample[];
}

// prom-client writes NaN as `Nan` (an event-loop lag before its first sample); Prometheus parses
// floats as Go's strconv does, NaN in any case.
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|\+Inf|-Inf)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses the Prometheus text format (0.0.4) strictly: every line is a `# HELP`, a `# TYPE`, or a
 * sample of a family whose TYPE came first; anything else fails the assertion.
 */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const sample = SAMPLE_LINE.exec(line);
    assert.ok(sample !== null, `not a Prometheus text line: ${line}`);
    const name = sample[1]!;
    const family = [...types.keys()].find((f) => name === f || (name.startsWith(f) && /^_(bucket|sum|count)$/.test(name.slice(f.length))));
    assert.ok(family !== undefined, `sample ${name} before its # TYPE`);
    const labels: Record<string, string> = {};
    for (const match of (sample[2] ?? '').matchAll(LABEL)) labels[match[1]!] = match[2]!;
    samples.push({ name, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

/** The value of the one sample with this name and these labels (others ignored); undefined if none. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length === 0) return undefined;
  assert.equal(found.length, 1, `one ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

/** Scrapes `/metrics`, asserting the answer's status and headers. */
export async function scrape(url: string): Promise<{ text: string; exposition: Exposition }> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url}: ${response.status}`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const text = await response.text();
  return { text, exposition: parseExposition(text) };
}
