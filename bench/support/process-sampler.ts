import { readdirSync, readFileSync } from 'node:fs';

/** One look at a process (Linux /proc), plus its V8 heap when it publishes Prometheus metrics. */
export interface ProcessSample {
  /** Seconds since the sampler started. */
  at: number;
  /** Resident set size, MB (`VmRSS` in /proc/PID/status). */
  rssMb: number;
  /** V8 heap in use, MB (`portcullis_nodejs_heap_size_used_bytes`), when a metrics URL was given. */
  heapMb: number | undefined;
  /** Open file descriptors (entries of /proc/PID/fd): sockets, database files, pipes. */
  fds: number;
}

/** Reads RSS and open descriptors from /proc, and the heap from `/metrics` when `metricsUrl` is given. */
export function createProcessSampler(pid: number, metricsUrl: string | undefined): () => Promise<ProcessSample> {
  const started = performance.now();
  return async () => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    return { at: (performance.now() - started) / 1000, rssMb: rssKb / 1024, heapMb: metricsUrl === undefined ? undefined : await heapInUse(metricsUrl), fds };
  };
}

async function heapInUse(metricsUrl: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const bytes = /^portcullis_nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text)?.[1];
    return bytes === undefined ? undefined : Number(bytes) / 1024 / 1024;
  } catch {
    return undefined;
  }
}

/** The least-squares slope of `value` over `at` (seconds), per minute; undefined with fewer than 3 points. */
export function slopePerMinute(points: readonly { at: number; value: number }[]): number | undefined {
  if (points.length < 3) return undefined;
  const n = points.length;
  const meanAt = points.reduce((sum, p) => sum + p.at, 0) / n;
  const meanValue = points.reduce((sum, p) => sum + p.value, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.at - meanAt) * (p.value - meanValue);
    variance += (p.at - meanAt) ** 2;
  }
  return variance === 0 ? undefined : (covariance / variance) * 60;
}
