import type { Registry } from 'prom-client';
import { BoundCounter, BoundHistogram, type CounterCell, type HistogramCell, LATENCY_BUCKETS_SECONDS } from './bound-series.js';
import { ENDPOINT_NAMES, type EndpointName } from './endpoint-name.js';

/** The requests of one endpoint: a latency cell bound once, and a counter cell per status code bound on first use. */
export class EndpointRequests {
  private readonly byStatus: (CounterCell | undefined)[] = [];

  constructor(
    private readonly endpoint: EndpointName,
    private readonly counter: BoundCounter<'endpoint' | 'status'>,
    private readonly latency: HistogramCell,
  ) {}

  /** One answered request: its status and how long it took, in seconds. */
  observe(status: number, seconds: number): void {
    let cell = this.byStatus[status];
    if (cell === undefined) {
      // Statuses outside 100–599 are not HTTP's; they share one series.
      const label = status >= 100 && status <= 599 ? String(status) : 'invalid';
      cell = this.counter.bind({ endpoint: this.endpoint, status: label });
      if (status >= 100 && status <= 599) this.byStatus[status] = cell;
    }
    cell.inc();
    this.latency.observe(seconds);
  }
}

/** `portcullis_http_requests_total{endpoint,status}` and `portcullis_http_request_duration_seconds{endpoint}`. */
export type HttpMetrics = Readonly<Record<EndpointName, EndpointRequests>>;

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const counter = new BoundCounter('portcullis_http_requests_total', 'HTTP requests answered, by endpoint and status code', ['endpoint', 'status'], registry);
  const latency = new BoundHistogram(
    'portcullis_http_request_duration_seconds',
    'Time to answer an HTTP request (until the response starts), by endpoint',
    ['endpoint'],
    LATENCY_BUCKETS_SECONDS,
    registry,
  );
  const metrics = {} as Record<EndpointName, EndpointRequests>;
  for (const endpoint of ENDPOINT_NAMES) metrics[endpoint] = new EndpointRequests(endpoint, counter, latency.bind({ endpoint }));
  return metrics;
}
