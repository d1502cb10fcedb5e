import type { Logger } from 'pino';
import { canonicalResource } from '../core/resource-uri.js';
import { createKeyring } from '../core/seal.js';
import { createGateway, type Gateway } from '../resource/gateway.js';
import type { GatewayMetrics } from '../resource/gateway-metrics.js';
import type { GatewaySettings } from '../resource/gateway-settings.js';
import { createJwtVerifier } from '../resource/jwt-verifier.js';
import type { VerifiedIdentity } from '../resource/types.js';
import { probeUpstream } from '../resource/upstream-probe.js';
import { type AuthorizationServer, createAuthorizationServer } from '../server/app.js';
import type { Clock } from '../server/clock.js';
import type { ServerSettings } from '../server/config.js';
import { listen, type RunningHttpServer } from '../server/http/listen.js';
import type { NodeRoute } from '../server/http/node-token-route.js';
import type { Store } from '../store/types.js';
import { exposeMetrics, type MetricsExposure, type MetricsSettings, metricsFor, upstreamReadinessCheck, withMetricsRoute } from './serve-metrics.js';
import { assertHostNeedsNoIssuer, checkGatewaySettings, parseGatewaySettings } from './serve-settings.js';

export interface ServeStackOptions {
  store: Store;
  secrets: readonly string[];
  logger: Logger;
  port: number;
  host: string;
  /** Default `http://HOST:PORT` (loopback only). */
  issuer?: string;
  settings: Partial<ServerSettings>;
  /** Puts the gateway in front of this upstream MCP server. */
  gateway?: GatewaySettings;
  clock?: Clock;
  sweepIntervalMs?: number | false;
  /** `/metrics` on a port of its own and/or on the main one (serve-metrics.ts); off when absent. */
  metrics?: MetricsSettings;
}

export interface ServeStack {
  readonly http: RunningHttpServer;
  readonly server: AuthorizationServer;
  readonly gateway: Gateway | undefined;
  /** Where `/metrics` is served; undefined when metrics are off. */
  readonly metrics: MetricsExposure | undefined;
  /** Stops listening (the store is the caller's to close). */
  close(): Promise<void>;
  /**
   * Stops gracefully (SIGTERM): the listener closes, the sweeper stops, the gateway's standalone
   * event streams end cleanly, and requests being answered get `graceMs` to finish; then event
   * streams still open end cleanly and what is left is cut. The store is the caller's to close.
   */
  shutdown(graceMs: number): Promise<ShutdownResult>;
}

export interface ShutdownResult {
  /** Requests still unanswered when the grace ended, whose connections were cut. */
  readonly unfinished: number;
  /** Event streams the gateway ended. */
  readonly streamsEnded: number;
}

/**
 * What `portcullis serve` runs: the authorization server and, with an upstream, the gateway on the
 * same listener. The gateway checks tokens in process: the JWKS is read from the server without a
 * network hop, and revocation is asked of the store on every cache miss.
 */
export async function startServeStack(options: ServeStackOptions): Promise<ServeStack> {
  let handler: ((request: Request, env: unknown) => Promise<Response> | Response) | undefined;
  let nodeRoute: NodeRoute | undefined;
  const http = await listen((request, env) => (handler ? handler(request, env) : new Response('starting', { status: 503 })), {
    port: options.port,
    host: options.host,
    nodeRoute: (request, response) => nodeRoute?.(request, response) ?? false,
  });
  try {
    const issuer = options.issuer ?? defaultIssuer(options.host, http.port);
    const gatewaySettings = options.gateway === undefined ? undefined : parseGatewaySettings(options.gateway);
    const resource = gatewaySettings === undefined ? undefined : canonicalResource(gatewaySettings.resource ?? `${issuer.replace(/\/$/, '')}/mcp`);
    const resources =
      options.settings.resources ?? (resource !== undefined ? [{ uri: resource, name: gatewaySettings?.resourceName ?? 'MCP server' }] : undefined);
    if (resource !== undefined && resources !== undefined && !resources.some((r) => canonicalResource(r.uri) === resource)) {
      resources.push({ uri: resource, name: gatewaySettings?.resourceName ?? 'MCP server' });
    }
    const metrics = metricsFor(options.metrics);
    const server = await createAuthorizationServer({
      settings: { ...options.settings, issuer, ...(resources !== undefined ? { resources } : {}) },
      ...(metrics !== undefined ? { metrics } : {}),
      ...(gatewaySettings !== undefined ? { readinessChecks: { upstream: upstreamReadinessCheck(new URL(gatewaySettings.upstream)) } } : {}),
      store: options.store,
      secrets: options.secrets,
      logger: options.logger,
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
      ...(options.sweepIntervalMs !== undefined ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
    });
    const gatewayMetrics = metrics?.gateway();
    const gateway =
      gatewaySettings === undefined || resource === undefined ? undefined : buildGateway(server, gatewaySettings, resource, options, gatewayMetrics);
    const { exposure, listener: metricsListener } = await exposeMetrics(options.metrics, metrics, server, options.logger).catch((error: unknown) => {
      server.close();
      throw error;
    });
    const route = (request: Request, env: unknown) => gateway?.handle(request, env) ?? server.app.fetch(request, env);
    handler = metrics !== undefined && exposure?.onMainPort === true ? withMetricsRoute(metrics, route) : route;
    nodeRoute = server.nodeRoute;
    if (gatewaySettings !== undefined) await warnIfUpstreamUnreachable(new URL(gatewaySettings.upstream), options.logger);
    return {
      http,
      server,
      gateway,
      metrics: exposure,
      async close() {
        gateway?.close();
        server.close();
        await Promise.all([http.close(), metricsListener?.close()]);
      },
      async shutdown(graceMs) {
        server.close();
        let streamsEnded = 0;
        const drained = http.drain({
          graceMs,
          onGraceExpired: () => {
            streamsEnded += gateway?.endStreams('all') ?? 0;
          },
        });
        // MCP's standalone GET stream never ends by itself: waiting for it would only use up the grace.
        streamsEnded += gateway?.endStreams('listening') ?? 0;
        const { unfinished } = await drained;
        gateway?.close();
        await metricsListener?.close();
        return { unfinished, streamsEnded };
      },
    };
  } catch (error) {
    await http.close();
    throw error;
  }
}

function buildGateway(
  server: AuthorizationServer,
  settings: GatewaySettings,
  resource: string,
  options: ServeStackOptions,
  metrics: GatewayMetrics | undefined,
): Gateway {
  const { config, paths } = server;
  const { policy } = checkGatewaySettings(settings, config);
  const clock = options.clock;
  const verifier = createJwtVerifier({
    issuer: config.issuer,
    audience: resource,
    jwksUri: `${config.issuerUrl.origin}${paths.jwks}`,
    // In process: the JWKS comes from the server itself, not over the network.
    fetch: (input, init) => server.app.fetch(new Request(input, init)) as Promise<Response>,
    isTokenLive: (identity) => server.isAccessTokenLive(identity.tokenId),
    cache: {
      ...(settings.tokenCacheSeconds !== undefined ? { maxSeconds: settings.tokenCacheSeconds } : {}),
      ...(metrics !== undefined ? { onLookup: (hit: boolean) => metrics.tokenCacheLookup(hit) } : {}),
    },
    ...(clock !== undefined ? { now: () => clock.now() } : {}),
  });
  return createGateway({
    resource,
    ...(settings.resourceName !== undefined ? { resourceName: settings.resourceName } : {}),
    ...(settings.allowedOrigins !== undefined ? { allowedOrigins: settings.allowedOrigins } : {}),
    authorizationServers: [config.issuer],
    scopesSupported: Object.keys(config.scopes),
    scopePolicy: policy,
    ...(settings.challengeAllScopes !== undefined ? { challengeAllScopes: settings.challengeAllScopes } : {}),
    verifier,
    upstream: settings.upstream,
    ...(settings.upstreamTimeoutSeconds !== undefined ? { upstreamTimeoutMs: settings.upstreamTimeoutSeconds * 1000 } : {}),
    ...(settings.maxRequestBytes !== undefined ? { maxRequestBytes: settings.maxRequestBytes } : {}),
    keyring: createKeyring(options.secrets),
    sign: (typ, payload) => server.signJwt(typ, payload),
    ...(settings.upstreamTokenHeader !== undefined
      ? { upstreamToken: { header: settings.upstreamTokenHeader, lookup: (identity: VerifiedIdentity) => server.upstreamAccess(identity.tokenId) } }
      : {}),
    logger: options.logger,
    ...(metrics !== undefined ? { metrics } : {}),
  });
}

/**
 * Says at start when nothing answers at the upstream, rather than letting the user sign in only
 * to get a 502. A warning, not a failure: the upstream may start after the gateway.
 */
async function warnIfUpstreamUnreachable(upstream: URL, logger: Logger): Promise<void> {
  const problem = await probeUpstream(upstream);
  if (problem === undefined) return;
  logger.warn(
    { event: 'upstream_unreachable', upstream: upstream.origin, problem },
    `nothing accepts connections at the upstream MCP server ${upstream.origin} (${problem}); MCP calls will get 502 until it does`,
  );
}

function defaultIssuer(host: string, port: number): string {
  assertHostNeedsNoIssuer(host);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
