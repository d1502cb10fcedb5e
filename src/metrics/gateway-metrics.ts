import { Counter, Gauge, type Registry } from 'prom-client';
import { BoundCounter, BoundHistogram, type CounterCell, type HistogramCell, LATENCY_BUCKETS_SECONDS } from './bound-series.js';
import type { HttpMetrics } from './http-metrics.js';

/** Mirrors src/resource/gateway-metrics.ts `UpstreamErrorKind` (this folder imports nothing of the parts above it). */
export type UpstreamErrorKindLabel = 'refused' | 'timeout' | 'reset' | '5xx' | 'unreachable' | 'invalid';

/**
 * The gateway's metrics; structurally the `GatewayMetrics` of src/resource/gateway-metrics.ts,
 * which the serve stack passes it as.
 */
export interface GatewayMetricsRecorder {
  request(endpoint: 'mcp' | 'metadata', status: number, seconds: number): void;
  upstreamResponded(seconds: number): void;
  upstreamError(kind: UpstreamErrorKindLabel): void;
  eventStreamOpened(): () => void;
  tokenCacheLookup(hit: boolean): void;
}

export function createGatewayMetrics(registry: Registry, http: HttpMetrics): GatewayMetricsRecorder {
  const upstreamLatency: HistogramCell = new BoundHistogram(
    'portcullis_upstream_response_duration_seconds',
    'Time from sending a request to the upstream MCP server to its response headers',
    [],
    LATENCY_BUCKETS_SECONDS,
    registry,
  ).bind({});
  const upstreamErrors = new Counter({
    name: 'portcullis_upstream_errors_total',
    help: 'Upstream MCP server failures, by kind: refused, timeout, reset, 5xx, unreachable, invalid',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of ['refused', 'timeout', 'reset', '5xx', 'unreachable', 'invalid']) upstreamErrors.inc({ kind }, 0);
  const streams = new Gauge({ name: 'portcullis_sse_streams_open', help: 'Event streams from the upstream open to clients now', registers: [registry] });
  const hits: CounterCell = new BoundCounter('portcullis_token_cache_hits_total', 'Bearer tokens trusted from the verified-token cache', [], registry).bind({});
  const misses: CounterCell = new BoundCounter(
    'portcullis_token_cache_misses_total',
    'Bearer tokens checked anew (signature, claims, revocation): not in the verified-token cache',
    [],
    registry,
  ).bind({});
  return {
    request: (endpoint, status, seconds) => http[endpoint].observe(status, seconds),
    upstreamResponded: (seconds) => upstreamLatency.observe(seconds),
    upstreamError: (kind) => upstreamErrors.inc({ kind }),
    eventStreamOpened() {
      streams.inc();
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        streams.dec();
      };
    },
    tokenCacheLookup: (hit) => (hit ? hits : misses).inc(),
  };
}
