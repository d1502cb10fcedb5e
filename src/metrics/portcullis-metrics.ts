import { collectDefaultMetrics, Registry } from 'prom-client';
import { createGatewayMetrics, type GatewayMetricsRecorder } from './gateway-metrics.js';
import { createHttpMetrics, type HttpMetrics } from './http-metrics.js';
import { createOAuthMetrics, type OAuthMetrics } from './oauth-metrics.js';
import { createSecurityEventMetrics, type SecurityEventMetrics } from './security-event-metrics.js';

/**
 * The metrics of one server (docs/operations.md, "Health and metrics"): a registry of its own,
 * never prom-client's global one (tests run several servers in one process), with Node's process
 * metrics prefixed `portcullis_`.
 */
export interface PortcullisMetrics {
  readonly http: HttpMetrics;
  readonly oauth: OAuthMetrics;
  /** The security event trail's `count` (src/server/events/security-events.ts). */
  readonly countSecurityEvent: SecurityEventMetrics;
  /** The gateway's metrics, registered on first call (a server without a gateway shows none). */
  gateway(): GatewayMetricsRecorder;
  /** The Prometheus text exposition (format 0.0.4) of every metric. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

export function createPortcullisMetrics(): PortcullisMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'portcullis_' });
  const http = createHttpMetrics(registry);
  let gateway: GatewayMetricsRecorder | undefined;
  return {
    http,
    oauth: createOAuthMetrics(registry),
    countSecurityEvent: createSecurityEventMetrics(registry),
    gateway: () => {
      gateway ??= createGatewayMetrics(registry, http);
      return gateway;
    },
    exposition: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
