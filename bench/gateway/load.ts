import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface FixedLoadResult {
  seconds: number;
  succeeded: number;
  reqPerSec: number;
  non2xx: number;
  errors: number;
  /** Latency of 2xx responses, milliseconds, from a microsecond histogram. */
  p50Ms: number;
  p99Ms: number;
}

const MESSAGE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

/**
 * The same MCP request over and over (POST of a JSON-RPC `tools/list` with a bearer token), on
 * `connections` connections, pipelining 1, for `seconds`. Latency is kept at microsecond
 * resolution (autocannon's own percentiles are whole milliseconds).
 */
export function runFixedLoad(options: { url: string; token: string; connections: number; seconds: number }): Promise<FixedLoadResult> {
  const latencyMicros = createHistogram();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        requests: [
          {
            method: 'POST',
            headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
            body: MESSAGE,
          },
        ],
        setupClient: (client) =>
          client.on('response', (status: number, _bytes: number, durationMs: number) => {
            if (status >= 200 && status <= 299) latencyMicros.record(Math.max(1, Math.round(durationMs * 1000)));
          }),
        connections: options.connections,
        pipelining: 1,
        duration: options.seconds,
        timeout: 10,
      },
      (error, result) => {
        if (error !== null) return reject(error);
        resolve({
          seconds: result.duration,
          succeeded: result['2xx'],
          reqPerSec: result['2xx'] / result.duration,
          non2xx: result.non2xx,
          errors: result.errors,
          p50Ms: latencyMicros.count === 0 ? 0 : latencyMicros.percentile(50) / 1000,
          p99Ms: latencyMicros.count === 0 ? 0 : latencyMicros.percentile(99) / 1000,
        });
      },
    );
  });
}
