import { type Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { OAuthError, toOAuthError } from '../core/errors.js';
import { createKeyring } from '../core/seal.js';
import type { PortcullisMetrics } from '../metrics/portcullis-metrics.js';
import type { RateLimitStore } from '../store/rate-limit-store.js';
import type { Store } from '../store/types.js';
import { createRateLimiter } from './browser/rate-limiter.js';
import { createRedisRateLimits } from './browser/redis-rate-limits.js';
import { createClientResolution } from './clients/client-resolution.js';
import { type Clock, nowSeconds, systemClock } from './clock.js';
import { resolveServerConfig, type ServerConfig, type ServerSettings } from './config.js';
import type { ServerContext } from './context.js';
import { authorizeEndpoint } from './endpoints/authorize.js';
import { consentEndpoint } from './endpoints/consent.js';
import { federationCallbackEndpoint } from './endpoints/federation-callback.js';
import { createHealthEndpoints, type HealthEndpoints, type ReadinessCheck } from './endpoints/health.js';
import { introspectEndpoint } from './endpoints/introspect.js';
import { loginEndpoint } from './endpoints/login.js';
import { authorizationServerMetadata, protectedResourceMetadata } from './endpoints/metadata.js';
import { registerEndpoint } from './endpoints/register.js';
import { revokeEndpoint } from './endpoints/revoke.js';
import { tokenEndpoint } from './endpoints/token.js';
import { createSecurityEvents } from './events/security-events.js';
import { createFederation, type IdentityProviderRegistration, identityProviderRegistrations } from './federation/federation.js';
import { createUpstreamAccessLookup } from './federation/upstream-access.js';
import { createUpstreamRevocationScheduler } from './federation/upstream-revocation.js';
import { revokeEndedUpstreamTokens, type UpstreamAccess } from './federation/upstream-tokens.js';
import { endpointNames, HEALTH_PATHS } from './http/endpoint-names.js';
import { thrownErrorPageResponse } from './http/error-page-response.js';
import { CORS_HEADERS, failedRequestAnswer, jsonResponse, oauthErrorResponse, toResponse } from './http/error-response.js';
import { createNodeTokenRoute, type NodeRoute } from './http/node-token-route.js';
import { silentLogger } from './logger.js';
import { type ServerPaths, serverPaths } from './paths.js';
import { startSweeper } from './sweeper.js';
import { isAccessTokenLive } from './tokens/access-token-status.js';
import { signNonAccessTokenJwt } from './tokens/non-access-token-jwt.js';
import { createRefreshTokenValues, REFRESH_TOKEN_KEY_PURPOSE, type RefreshTokenId } from './tokens/refresh-token-value.js';
import { createSigningKeys, type SigningKeys } from './tokens/signing-keys.js';

export interface AuthorizationServerOptions {
  settings: ServerSettings;
  store: Store;
  /** Master secrets, newest first (docs/design.md: `PORTCULLIS_SECRET`). */
  secrets: readonly string[];
  clock?: Clock;
  logger?: Logger;
  /**
   * Where rate-limit windows are counted: by default the store (shared by every instance on the
   * database); Redis when configured (src/server/browser/redis-rate-limits.ts).
   */
  rateLimits?: RateLimitStore;
  /** How often expired rows are swept; false to disable (tests). Default 60 s. */
  sweepIntervalMs?: number | false;
  /** Where requests, tokens, refusals and security events are counted (src/metrics); none by default. */
  metrics?: PortcullisMetrics;
  /** More `/readyz` checks, by name (the serve stack adds the gateway's upstream). */
  readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
}

export interface AuthorizationServer {
  readonly app: Hono;
  readonly config: ServerConfig;
  readonly paths: ServerPaths;
  readonly signingKeys: SigningKeys;
  /** The upstream identity providers, each with the redirect URI to register at it; empty without federation. */
  readonly identityProviders: readonly IdentityProviderRegistration[];
  /** `/healthz` and `/readyz`, also for another listener (the metrics port). */
  readonly health: HealthEndpoints;
  fetch(request: Request): Promise<Response>;
  /** `POST /token` answered on node:http directly; pass it to `listen` (node-token-route.ts). */
  readonly nodeRoute: NodeRoute;
  /**
   * Whether the access token with this `jti` is still live (not revoked, nor its grant). For a
   * gateway in the same process, which checks signatures itself and asks this for revocation.
   */
  isAccessTokenLive(jti: string): Promise<boolean>;
  /**
   * Signs a JWT of another type than access tokens (`typ` must not be `at+jwt`) with the current
   * signing key, so that anyone holding the JWKS can verify it: the gateway's identity assertion
   * to its upstream.
   */
  signJwt(typ: string, payload: Record<string, unknown>): Promise<string>;
  /**
   * The upstream access of the grant an access token (by `jti`) belongs to, for a gateway that
   * hands it to the protected server. `ended` means the upstream no longer honours the grant: it
   * has been revoked here too, so the client must sign in again. Throws UpstreamError
   * ('unavailable') when the provider cannot be reached.
   */
  upstreamAccess(jti: string): Promise<UpstreamAccess>;
  /**
   * What the sweeper does every minute, now: expired rows, and security events past their
   * retention. Returns the rows removed.
   */
  sweepNow(): Promise<number>;
  /** Revokes upstream the tokens of grants that ended (the sweeper does this every minute). */
  revokeEndedUpstreamTokens(): Promise<number>;
  /**
   * The refresh token value of a grant's generation, as the token endpoint issues it: for tools
   * that write grants to the store directly (the benchmarks seed thousands this way).
   */
  mintRefreshToken(id: RefreshTokenId): string;
  /** Stops the sweeper and closes the Redis rate-limit connection, if any (the store is the caller's to close). */
  close(): void;
}

/**
 * Builds the authorization server: config validated and frozen, keys loaded (one created on first
 * start), routes mounted under the issuer's path. Throws ConfigError on bad settings.
 */
export async function createAuthorizationServer(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const config = resolveServerConfig(options.settings);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const keyring = createKeyring(options.secrets);
  const signingKeys = createSigningKeys(options.store.signingKeys, keyring, clock, config.accessTokenTtlSeconds, config.signingKeys.reloadSeconds);
  await signingKeys.current();
  const clients = createClientResolution(config, options.store.clients, clock, logger);
  const paths = serverPaths(config.issuerUrl);
  const federation = config.federation === undefined ? undefined : createFederation(config.federation, config.issuerUrl, paths, () => clock.now());
  const redisLimits = options.rateLimits === undefined && config.rateLimits.redis !== undefined ? createRedisRateLimits(config.rateLimits.redis) : undefined;
  const refreshTokens = createRefreshTokenValues(keyring.deriveKeys(REFRESH_TOKEN_KEY_PURPOSE));
  const context: ServerContext = {
    config,
    store: options.store,
    keyring,
    signingKeys,
    refreshTokens,
    clock,
    logger,
    events: createSecurityEvents({
      store: options.store.securityEvents,
      logger,
      clock,
      ...(options.metrics !== undefined ? { count: options.metrics.countSecurityEvent } : {}),
    }),
    metrics: options.metrics,
    resolveClient: clients.resolveClient,
    resolveAuthenticatingClient: clients.resolveAuthenticatingClient,
    federation,
    grantsEnded: federation === undefined ? () => {} : createUpstreamRevocationScheduler(() => revokeEndedUpstreamTokens(context), logger),
    limiters: rateLimitersOf(config, options.rateLimits ?? redisLimits ?? options.store.rateLimits, clock),
  };
  const health = createHealthEndpoints(context, options.readinessChecks);
  const app = buildRoutes(context, paths, health);
  const retentionSeconds = config.securityEvents.retentionDays * 86_400;
  const sweepSecurityEvents = () => options.store.securityEvents.sweep(nowSeconds(clock) - retentionSeconds);
  const afterSweep = () => {
    context.grantsEnded();
    sweepSecurityEvents().catch((error: unknown) => {
      logger.error({ event: 'sweep_failed', table: 'security_events', detail: String(error) }, 'sweeping old security events failed');
    });
  };
  const stopSweeper = startSweeper(options.store, clock, logger, options.sweepIntervalMs ?? 60_000, afterSweep);
  const closeRateLimits = redisLimits === undefined ? () => {} : () => void redisLimits.close();

  return {
    app,
    config,
    paths,
    signingKeys,
    identityProviders: identityProviderRegistrations(federation),
    health,
    fetch: async (request) => app.fetch(request),
    nodeRoute: createNodeTokenRoute(context, paths.token),
    isAccessTokenLive: (jti) => isAccessTokenLive(context, jti),
    signJwt: (typ, payload) => signNonAccessTokenJwt(signingKeys, config.issuer, typ, payload),
    upstreamAccess: createUpstreamAccessLookup(context),
    revokeEndedUpstreamTokens: () => revokeEndedUpstreamTokens(context),
    async sweepNow() {
      const [expired, events] = await Promise.all([options.store.sweep(nowSeconds(clock)), sweepSecurityEvents()]);
      return expired + events;
    },
    mintRefreshToken: (id) => refreshTokens.mint(id),
    close() {
      stopSweeper();
      closeRateLimits();
    },
  };
}

/** Key names are a contract with `portcullis users unlock` (src/cli/commands/users.ts). */
function rateLimitersOf(config: ServerConfig, windows: RateLimitStore, clock: Clock): ServerContext['limiters'] {
  return {
    registration: createRateLimiter({ name: 'registration', limit: config.registration.perAddressPerHour, windowSeconds: 3600, windows, clock }),
    loginPerUser: createRateLimiter({ name: 'login-user', limit: config.login.maxFailuresPerUser, windowSeconds: 900, windows, clock }),
    loginPerAddress: createRateLimiter({ name: 'login-address', limit: config.login.maxFailuresPerAddress, windowSeconds: 900, windows, clock }),
  };
}

function buildRoutes(ctx: ServerContext, paths: ServerPaths, health: HealthEndpoints): Hono {
  const app = new Hono();
  const { config, logger, metrics } = ctx;
  const endpointOf = endpointNames(paths, config.resources);

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    metrics?.http[endpointOf(c.req.path)].observe(c.res.status, ms / 1000);
    // Paths only: query strings carry codes and state.
    logger.info({ event: 'request', method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms) }, 'request');
  });

  const page = (handler: (c: Context) => Promise<Response>) => async (c: Context) => {
    try {
      return await handler(c);
    } catch (error) {
      const oauthError = toOAuthError(error);
      logger.error({ event: 'page_failed', path: c.req.path, detail: oauthError.detail }, 'page failed');
      return thrownErrorPageResponse(oauthError, 'Something went wrong');
    }
  };

  const asMetadata = authorizationServerMetadata(config, paths);
  app.get(paths.authorizationServerMetadata, async () => jsonResponse(asMetadata, 200, { 'Cache-Control': 'public, max-age=300' }));
  for (const [path, resource] of paths.protectedResourceMetadata(config.resources)) {
    const body = protectedResourceMetadata(config, resource);
    app.get(path, async () => jsonResponse(body, 200, { 'Cache-Control': 'public, max-age=300' }));
  }
  app.get(HEALTH_PATHS.healthz, () => toResponse(health.healthz()));
  app.get(HEALTH_PATHS.readyz, async () => toResponse(await health.readyz()));
  // Cached no longer than an instance takes to re-read the keys: a rotated key signs only once
  // every copy of the JWKS served before it has expired (signing-keys.ts).
  const jwksCaching = { 'Cache-Control': `public, max-age=${config.signingKeys.reloadSeconds}` };
  app.get(paths.jwks, async () => jsonResponse(await ctx.signingKeys.jwks(), 200, jwksCaching));

  app.on(['GET', 'POST'], paths.authorize, page(authorizeEndpoint(ctx, paths)));
  app.on(['GET', 'POST'], paths.login, page(loginEndpoint(ctx, paths)));
  app.on(['GET', 'POST'], paths.consent, page(consentEndpoint(ctx, paths)));
  if (ctx.federation !== undefined) app.get(paths.federationCallback(':provider'), page(federationCallbackEndpoint(ctx, paths)));
  app.post(paths.token, tokenEndpoint(ctx));
  if (config.registration.enabled) app.post(paths.register, registerEndpoint(ctx));
  app.post(paths.revoke, revokeEndpoint(ctx));
  app.post(paths.introspect, introspectEndpoint(ctx));

  app.options('*', () => new Response(null, { status: 204, headers: { ...CORS_HEADERS } }));
  app.notFound((c) => {
    // With registration disabled, /register does not exist: a 404, not a 405 that says "use POST".
    const postOnly = [paths.token, paths.revoke, paths.introspect, ...(config.registration.enabled ? [paths.register] : [])];
    const known = postOnly.includes(c.req.path);
    const error = known
      ? new OAuthError('invalid_request', `Use POST for ${c.req.path}.`, { status: 405 })
      : new OAuthError('invalid_request', 'There is nothing at this address.', { status: 404 });
    return oauthErrorResponse(error, known ? { Allow: 'POST, OPTIONS' } : {});
  });
  app.onError((error, c) =>
    toResponse(failedRequestAnswer(logger, c.req.path, error, metrics && ((code) => metrics.oauth.refused(endpointOf(c.req.path), code)))),
  );
  return app;
}
