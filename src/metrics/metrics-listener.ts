import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../http/close-server.js';
import type { PortcullisMetrics } from './portcullis-metrics.js';

/** An answer not yet bound to a transport (the shape of src/server/http/error-response.ts `JsonAnswer`). */
export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface MetricsListenerOptions {
  port: number;
  /** Default 127.0.0.1: metrics tell an attacker things (traffic, failures, versions). */
  host: string;
  metrics: PortcullisMetrics;
  /** `/healthz` and `/readyz`, answered as on the main listener. */
  health: { healthz(): PlainAnswer | Promise<PlainAnswer>; readyz(): Promise<PlainAnswer> };
}

export interface MetricsListener {
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

const NO_STORE = { 'Cache-Control': 'no-store' } as const;

/** The metrics exposition as an answer: never cached, since it changes with every request. */
export async function metricsAnswer(metrics: PortcullisMetrics): Promise<PlainAnswer> {
  const { contentType, body } = await metrics.exposition();
  return { status: 200, headers: { 'Content-Type': contentType, ...NO_STORE }, body };
}

/**
 * The metrics port (`serve --metrics-port`): `/metrics`, `/healthz` and `/readyz` on a listener of
 * their own, off the public port, where a scraper and an orchestrator reach them and a client does not.
 */
export function startMetricsListener(options: MetricsListenerOptions): Promise<MetricsListener> {
  const routes: Record<string, () => PlainAnswer | Promise<PlainAnswer>> = {
    '/metrics': () => metricsAnswer(options.metrics),
    '/healthz': () => options.health.healthz(),
    '/readyz': () => options.health.readyz(),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void answer(request, routes).then(({ status, headers, body }) => response.writeHead(status, headers).end(request.method === 'HEAD' ? undefined : body));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { address, family, port } = server.address() as AddressInfo;
      resolve({ url: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`, close: () => closeHttpServer(server) });
    });
  });
}

async function answer(request: IncomingMessage, routes: Record<string, () => PlainAnswer | Promise<PlainAnswer>>): Promise<PlainAnswer> {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (route === undefined) return plain(404, 'There is nothing at this address: /metrics, /healthz and /readyz are.');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const refused = plain(405, 'Use GET.');
    return { ...refused, headers: { ...refused.headers, Allow: 'GET, HEAD' } };
  }
  try {
    return await route();
  } catch {
    // A collector that throws must not take the listener down; the reason is not the scraper's to read.
    return plain(500, 'The metrics could not be collected.');
  }
}

function plain(status: number, text: string): PlainAnswer {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...NO_STORE }, body: `${text}\n` };
}
