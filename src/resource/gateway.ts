import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { OAuthError } from '../core/errors.js';
import type { Keyring } from '../core/seal.js';
import { readWebRequestBody } from '../http/size-limited-body.js';
import { bearerErrorResponse } from './bearer-challenge.js';
import { createBearerGuard } from './bearer-guard.js';
import { MCP_ENDPOINT_CORS, MCP_ENDPOINT_PREFLIGHT_CORS } from './cors-headers.js';
import type { GatewayMetrics, UpstreamErrorKind } from './gateway-metrics.js';
import { createIdentityHeaders, type IdentitySigner } from './identity-headers.js';
import { mcpTransportErrorResponse } from './json-rpc-error.js';
import { createLocalOriginCheck } from './local-origin-check.js';
import { mustReadBody, parseBodyForGuard } from './middleware/request-body.js';
import { buildProtectedResourceMetadata, protectedResourceMetadataResponse } from './protected-resource-metadata.js';
import { type ClientWatcher, createUpstreamProxy, requestTooLargeResponse, type UpstreamFailure } from './proxy.js';
import { scopesOfPolicy } from './scope-policy.js';
import { createSessionBinding, sessionNotFoundResponse } from './session-binding.js';
import type { ScopePolicy, TokenVerifier, VerifiedIdentity } from './types.js';

export interface GatewayOptions {
  /** The MCP endpoint's public URL: the RFC 8707 resource its tokens must be issued for. */
  resource: string;
  resourceName?: string;
  /** Browser origins also allowed to call the MCP endpoint (see local-origin-check.ts). */
  allowedOrigins?: readonly string[];
  /** Issuers whose tokens are accepted, published in the RFC 9728 metadata. */
  authorizationServers: readonly string[];
  scopesSupported?: readonly string[];
  scopePolicy: ScopePolicy;
  /**
   * Name every scope of `scopePolicy` in 401 challenges, so clients ask for all of them at sign-in
   * and need no step-up (docs/gateway.md, `challengeAllScopes`). Default false: the scopes the call needs.
   */
  challengeAllScopes?: boolean;
  verifier: TokenVerifier;
  /** The protected MCP server's Streamable HTTP endpoint. */
  upstream: string;
  upstreamTimeoutMs?: number;
  maxRequestBytes?: number;
  /** Derives the key that binds MCP sessions to users (shared by every gateway instance). */
  keyring: Pick<Keyring, 'deriveKey'>;
  /** Signs the identity assertion the upstream can verify with the authorization server's JWKS. */
  sign: IdentitySigner;
  /** Hands the protected server the user's upstream access token in `header` (off by default). */
  upstreamToken?: { header: string; lookup: UpstreamTokenLookup };
  logger?: Logger;
  /** Where requests, upstream latency and errors, event streams and token-cache lookups are counted (gateway-metrics.ts); none by default. */
  metrics?: GatewayMetrics;
}

/**
 * The upstream access token behind a verified identity: `none` for a user signed in without an
 * upstream, `ended` when the upstream no longer honours the grant (the caller must sign in again).
 * Rejects when the upstream cannot be reached.
 */
export type UpstreamTokenLookup = (identity: VerifiedIdentity) => Promise<{ accessToken: string } | 'none' | 'ended'>;

export interface Gateway {
  /** The MCP endpoint's URL (canonical), as published in the metadata. */
  readonly resource: string;
  /**
   * Answers requests for the MCP endpoint and its metadata; undefined for any other path. `env` is
   * what @hono/node-server passes handlers (`{ outgoing }`), used to notice a client that leaves.
   */
  handle(request: Request, env?: unknown): Promise<Response> | undefined;
  /** Ends the event streams being passed on cleanly, for shutdown (proxy.ts `endStreams`). Returns how many. */
  endStreams(which: 'listening' | 'all'): number;
  close(): void;
}

const SESSION_HEADER = 'mcp-session-id';

/**
 * The protected-resource gateway: RFC 9728 metadata, then for every call to the MCP endpoint the
 * bearer check (audience, expiry, revocation, scopes per method and tool), the session bound to
 * the caller, and the request passed to the upstream with the caller's identity in signed headers
 * and never the caller's token (docs/design.md invariants 6 and 9).
 * @see RFC 9728; RFC 6750 §3; MCP Authorization (2026-07-28); MCP security best practices, "Session Hijacking"
 */
export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger;
  const metrics = options.metrics;
  const metadata = buildProtectedResourceMetadata({
    resource: options.resource,
    authorizationServers: options.authorizationServers,
    ...(options.scopesSupported !== undefined ? { scopesSupported: options.scopesSupported } : {}),
    ...(options.resourceName !== undefined ? { resourceName: options.resourceName } : {}),
  });
  const endpointPath = new URL(metadata.resource).pathname;
  // Logs name the upstream by its origin: its path may carry something private.
  const upstreamOrigin = new URL(options.upstream).origin;
  const guard = createBearerGuard({
    verifier: options.verifier,
    resource: metadata.resource,
    scopePolicy: options.scopePolicy,
    ...(options.challengeAllScopes === true ? { challengeScopes: scopesOfPolicy(options.scopePolicy) } : {}),
    onRefusal: (refusal) => logger?.info({ event: 'bearer_refused', status: refusal.status, error: refusal.error, detail: refusal.detail }, 'request refused'),
  });
  const proxy = createUpstreamProxy({
    upstream: options.upstream,
    ...(options.upstreamTimeoutMs !== undefined ? { timeoutMs: options.upstreamTimeoutMs } : {}),
    ...(options.maxRequestBytes !== undefined ? { maxRequestBytes: options.maxRequestBytes } : {}),
    ...(options.upstreamToken !== undefined ? { reservedHeaders: [options.upstreamToken.header] } : {}),
    onUpstreamFailure: (failure) => {
      metrics?.upstreamError(upstreamErrorKind(failure));
      logger?.warn(
        { event: 'upstream_failed', upstream: upstreamOrigin, reason: failure.reason, code: failure.code },
        `the upstream MCP server ${upstreamOrigin} failed: ${failure.reason}${failure.code !== undefined ? ` (${failure.code})` : ''}`,
      );
    },
    ...(metrics !== undefined
      ? {
          onUpstreamResponse: (status: number, seconds: number) => {
            metrics.upstreamResponded(seconds);
            if (status >= 500) metrics.upstreamError('5xx');
          },
          onEventStream: () => metrics.eventStreamOpened(),
        }
      : {}),
  });
  const checkOrigin = createLocalOriginCheck({
    resource: metadata.resource,
    ...(options.allowedOrigins !== undefined ? { allowedOrigins: options.allowedOrigins } : {}),
  });
  const sessions = createSessionBinding(options.keyring);
  const identityHeaders = createIdentityHeaders({ sign: options.sign, upstreamUrl: proxy.upstream.href });

  async function callUpstream(request: Request, watchClient: ClientWatcher | undefined): Promise<Response> {
    const foreign = checkOrigin(request.headers);
    if (foreign !== undefined) return foreign;
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: MCP_ENDPOINT_PREFLIGHT_CORS });
    let body: Uint8Array | undefined;
    let parsed: ReturnType<typeof parseBodyForGuard> = {};
    if (hasBody(request)) {
      body = (await readWebRequestBody(request, proxy.maxRequestBytes)) ?? undefined;
      if (body === undefined) return requestTooLargeResponse(proxy.maxRequestBytes);
      const contentType = request.headers.get('content-type');
      if (mustReadBody(guard, request.method, contentType)) parsed = parseBodyForGuard(Buffer.from(body).toString('utf8'), contentType);
    }
    const input = { url: request.url, headers: request.headers, ...parsed };
    const check = guard.checkCached(input) ?? (await guard.check(input));
    if (check.response !== undefined) return check.response;
    const { identity } = check;

    const extra: Record<string, string> = { ...(await identityHeaders(identity)) };
    if (options.upstreamToken !== undefined) {
      let access: Awaited<ReturnType<UpstreamTokenLookup>>;
      try {
        access = await options.upstreamToken.lookup(identity);
      } catch {
        logger?.warn({ event: 'upstream_token_unavailable', sub: identity.subject }, 'the identity provider could not be reached for a fresh upstream token');
        return mcpTransportErrorResponse(
          503,
          'Service Unavailable: the identity provider cannot be reached; try again shortly',
          'identity_provider_unavailable',
        );
      }
      if (access === 'ended') {
        // The grant was revoked with it: a 401 makes the MCP client sign the user in again.
        const ended = new OAuthError('invalid_token', 'The sign-in with the identity provider has ended; sign in again.');
        return bearerErrorResponse(ended, { resourceMetadataUrl: guard.resourceMetadataUrl, scopes: [] });
      }
      if (access !== 'none') extra[options.upstreamToken.header.toLowerCase()] = access.accessToken;
    }
    const clientSessionId = request.headers.get(SESSION_HEADER);
    if (clientSessionId !== null) {
      const upstreamSessionId = sessions.unbindSessionId(clientSessionId, identity);
      if (upstreamSessionId === null) {
        logger?.warn({ event: 'session_refused', sub: identity.subject, client_id: identity.clientId }, 'MCP session id not bound to this user and client');
        return sessionNotFoundResponse();
      }
      extra[SESSION_HEADER] = upstreamSessionId;
    }

    const response = await proxy.forward(request, extra, body, watchClient);
    const upstreamSessionId = response.headers.get(SESSION_HEADER);
    if (upstreamSessionId !== null) {
      try {
        response.headers.set(SESSION_HEADER, sessions.bindSessionId(upstreamSessionId, identity));
      } catch {
        await response.body?.cancel().catch(() => {});
        metrics?.upstreamError('invalid');
        logger?.error({ event: 'upstream_bad_session_id' }, 'the upstream sent an Mcp-Session-Id that is not visible ASCII');
        return mcpTransportErrorResponse(502, 'Bad Gateway: the upstream MCP server sent an invalid session id', 'upstream_invalid_response');
      }
    }
    return response;
  }

  async function handleEndpoint(request: Request, env: unknown): Promise<Response> {
    const started = performance.now();
    const response = await callUpstream(request, socketWatcher(env));
    for (const [name, value] of Object.entries(MCP_ENDPOINT_CORS)) response.headers.set(name, value);
    const ms = performance.now() - started;
    metrics?.request('mcp', response.status, ms / 1000);
    // Path and status only: no token, no body (docs/design.md invariant 7).
    logger?.info({ event: 'mcp_request', method: request.method, path: endpointPath, status: response.status, ms: Math.round(ms) }, 'mcp request');
    return response;
  }

  return {
    resource: metadata.resource,
    handle(request, env) {
      const answered = protectedResourceMetadataResponse(request, metadata);
      if (answered !== undefined) {
        metrics?.request('metadata', answered.status, 0);
        return Promise.resolve(answered);
      }
      if (new URL(request.url).pathname !== endpointPath) return undefined;
      return handleEndpoint(request, env);
    },
    endStreams: (which) => proxy.endStreams(which),
    close: () => proxy.close(),
  };
}

/** The metrics' kind of an upstream failure (gateway-metrics.ts `UpstreamErrorKind`). */
function upstreamErrorKind(failure: UpstreamFailure): UpstreamErrorKind {
  if (failure.reason === 'upstream_timeout') return 'timeout';
  if (failure.reason !== 'upstream_unavailable') return 'invalid';
  if (failure.code === 'ECONNREFUSED') return 'refused';
  // No code: the upstream closed the response early.
  if (failure.code === undefined || failure.code === 'ECONNRESET' || failure.code === 'EPIPE') return 'reset';
  return 'unreachable';
}

/** Whether the request has a body, judged by its headers (RFC 9112 §6.3), without touching the web stream. */
function hasBody(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const length = request.headers.get('content-length');
  return (length !== null && length !== '0') || request.headers.has('transfer-encoding');
}

/** On @hono/node-server, the response's `close` before it finished means the client left. */
function socketWatcher(env: unknown): ClientWatcher | undefined {
  const outgoing = (env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing === undefined || typeof outgoing.once !== 'function') return undefined;
  return (onGone) => {
    const onClose = () => {
      if (!outgoing.writableFinished) onGone();
    };
    outgoing.once('close', onClose);
    return () => outgoing.off('close', onClose);
  };
}
