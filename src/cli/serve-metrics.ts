import type { Logger } from 'pino';
import { type MetricsListener, metricsAnswer, startMetricsListener } from '../metrics/metrics-listener.js';
import { createPortcullisMetrics, type PortcullisMetrics } from '../metrics/portcullis-metrics.js';
import { probeUpstream } from '../resource/upstream-probe.js';
import type { AuthorizationServer } from '../server/app.js';
import { cachedReadinessCheck, type ReadinessCheck } from '../server/endpoints/health.js';
import { CliError } from './output.js';

/** Where `serve` exposes `/metrics` (docs/operations.md): `--metrics-port`, `--metrics-host`, config `metrics`. */
export interface MetricsSettings {
  /** A listener of its own for `/metrics`, `/healthz` and `/readyz` (0 picks a free one). */
  port?: number;
  /** Where that listener listens. Default 127.0.0.1: metrics tell an attacker things. */
  host?: string;
  /** Also (or only) serve `/metrics` on the public listener. Warned about at start. */
  onMainPort?: boolean;
}

export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const METRICS_PATH = '/metrics';

/** Where the metrics are, for the startup summary; undefined when they are off. */
export interface MetricsExposure {
  /** The metrics listener's `/metrics`, when `port` was given. */
  readonly url: string | undefined;
  readonly onMainPort: boolean;
}

/** The metrics of a serve stack, when its settings ask for any (none are collected otherwise). */
export function metricsFor(settings: MetricsSettings | undefined): PortcullisMetrics | undefined {
  return settings?.port !== undefined || settings?.onMainPort === true ? createPortcullisMetrics() : undefined;
}

/** The upstream's `/readyz` check: a TCP connection, its result reused for a few seconds (health.ts). */
export function upstreamReadinessCheck(upstream: URL): ReadinessCheck {
  return cachedReadinessCheck(async () => {
    const problem = await probeUpstream(upstream, 900);
    return problem === undefined ? undefined : `the upstream MCP server does not accept connections (${problem})`;
  });
}

/** `handler` with `/metrics` answered first, for `metrics.onMainPort`. */
export function withMetricsRoute(
  metrics: PortcullisMetrics,
  handler: (request: Request, env: unknown) => Promise<Response> | Response,
): (request: Request, env: unknown) => Promise<Response> | Response {
  return (request, env) => {
    // A suffix test first: the URL is parsed only for the rare request that may be for /metrics.
    if (!request.url.includes(METRICS_PATH) || new URL(request.url).pathname !== METRICS_PATH) return handler(request, env);
    if (request.method !== 'GET') return handler(request, env);
    return metricsAnswer(metrics).then(({ status, headers, body }) => new Response(body, { status, headers }));
  };
}

/** Starts the metrics listener when a port is given, and warns when metrics are on the public port. */
export async function exposeMetrics(
  settings: MetricsSettings | undefined,
  metrics: PortcullisMetrics | undefined,
  server: AuthorizationServer,
  logger: Logger,
): Promise<{ exposure: MetricsExposure | undefined; listener: MetricsListener | undefined }> {
  if (metrics === undefined || settings === undefined) return { exposure: undefined, listener: undefined };
  if (settings.onMainPort === true) {
    logger.warn(
      { event: 'metrics_on_main_port' },
      'metrics.onMainPort: /metrics is served on the public port, where anyone who reaches it learns traffic, failures and versions; prefer --metrics-port',
    );
  }
  const listener =
    settings.port === undefined
      ? undefined
      : await startMetricsListener({ port: settings.port, host: settings.host ?? DEFAULT_METRICS_HOST, metrics, health: server.health });
  return { exposure: { url: listener === undefined ? undefined : `${listener.url}${METRICS_PATH}`, onMainPort: settings.onMainPort === true }, listener };
}

/**
 * The metrics settings from the flags over the config file's `metrics` (checked by config-file.ts).
 * Throws CliError on a bad port, or a metrics port that is the main one.
 */
export function metricsSettingsFrom(
  flags: { metricsPort?: string | undefined; metricsHost?: string | undefined },
  file: MetricsSettings | undefined,
  main: { port: number; host: string },
): MetricsSettings | undefined {
  const port = flags.metricsPort !== undefined ? parseMetricsPort(flags.metricsPort) : file?.port;
  const host = flags.metricsHost ?? file?.host;
  if (host !== undefined && port === undefined) throw new CliError('--metrics-host says where the metrics port listens: give --metrics-port too');
  if (port !== undefined && port !== 0 && port === main.port && (host ?? DEFAULT_METRICS_HOST) === main.host) {
    throw new CliError(
      `the metrics port must not be the main port ${main.port}; to serve /metrics there too, set "metrics": { "onMainPort": true } in the config`,
    );
  }
  if (port === undefined && file?.onMainPort !== true) return undefined;
  return { ...(port !== undefined ? { port, host: host ?? DEFAULT_METRICS_HOST } : {}), ...(file?.onMainPort === true ? { onMainPort: true } : {}) };
}

function parseMetricsPort(value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--metrics-port must be a number from 0 to 65535, not "${value}"`);
  }
  return port;
}
