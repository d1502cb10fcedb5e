import { createHistogram, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowConnection } from './flow-connection.js';

/** What one measurement of the load driver saw. */
export interface FlowLoadResult {
  /** Flows that ended inside the measured window with a 200 token response and the right state and iss. */
  flows: number;
  seconds: number;
  flowsPerSecond: number;
  /** Latency of a whole flow (both requests), in milliseconds, from a microsecond histogram. */
  p50Ms: number;
  p99Ms: number;
  /** Failed flows in the warm-up or the window, by what went wrong. */
  failures: Record<string, number>;
  warmupFlows: number;
  /** Good flows per second of the window, to spot drift. */
  perSecond: number[];
}

export interface FlowLoadOptions {
  warmupMs: number;
  durationMs: number;
  onMeasuring: () => void;
  onMeasured: () => void;
}

/** A connection that fails this often stops, so a dead server is not hammered in a tight loop. */
const MAX_FAILURES_PER_CONNECTION = 100;

/**
 * Runs every connection's flows back to back for the warm-up and then the measured window. A flow
 * counts where it ends: one started in the warm-up and ended in the window counts, one still in
 * flight when the window closes does not, which balances out.
 */
export async function runFlowLoad(connections: readonly FlowConnection[], options: FlowLoadOptions): Promise<FlowLoadResult> {
  const histogram = createHistogram();
  const failures: Record<string, number> = {};
  const perSecond: number[] = [];
  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  let windowStart = 0;
  let windowEnd = Number.POSITIVE_INFINITY;
  let flows = 0;
  let warmupFlows = 0;

  const loop = async (connection: FlowConnection) => {
    let failed = 0;
    while (phase !== 'done' && failed < MAX_FAILURES_PER_CONNECTION) {
      const started = performance.now();
      const failure = await connection.runFlow().catch((error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`);
      const ended = performance.now();
      if (failure !== undefined) {
        failed++;
        failures[failure] = (failures[failure] ?? 0) + 1;
      } else if (phase === 'warmup') {
        warmupFlows++;
      } else if (phase === 'measure' && ended <= windowEnd) {
        flows++;
        histogram.record(Math.max(1, Math.round((ended - started) * 1000)));
        const second = Math.floor((ended - windowStart) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      }
    }
  };
  const loops = connections.map(loop);

  await sleep(options.warmupMs);
  phase = 'measure';
  windowStart = performance.now();
  windowEnd = windowStart + options.durationMs;
  options.onMeasuring();
  await sleep(options.durationMs);
  options.onMeasured();
  phase = 'done';
  await Promise.all(loops);

  const micros = (percentile: number) => (flows === 0 ? 0 : histogram.percentile(percentile) / 1000);
  // Only flows that ended by windowEnd were counted, so the window is the duration asked for.
  const seconds = options.durationMs / 1000;
  return {
    flows,
    seconds,
    flowsPerSecond: flows / seconds,
    p50Ms: micros(50),
    p99Ms: micros(99),
    failures,
    warmupFlows,
    perSecond: Array.from({ length: Math.ceil(options.durationMs / 1000) }, (_, i) => perSecond[i] ?? 0),
  };
}
