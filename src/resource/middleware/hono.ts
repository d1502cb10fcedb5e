import type { Context, MiddlewareHandler, Next } from 'hono';
import { type BearerGuard, type BearerGuardOptions, type BearerRequest, createBearerGuard } from '../bearer-guard.js';
import { type McpAuthInfo, toMcpAuthInfo } from '../mcp-auth-info.js';
import { type ProtectedResourceMetadata, protectedResourceMetadataResponse } from '../protected-resource-metadata.js';
import type { VerifiedIdentity } from '../types.js';
import { mustReadBody, parseBodyForGuard } from './request-body.js';

/** The context variables `bearerAuth` sets. */
export interface BearerAuthEnv {
  Variables: {
    identity: VerifiedIdentity;
    /** For the MCP SDK's web-standard transport: `transport.handleRequest(c.req.raw, { authInfo: c.get('authInfo') })`. */
    authInfo: McpAuthInfo;
  };
}

/**
 * Hono middleware requiring a bearer token: sets `identity` and `authInfo` on the context, or
 * answers the refusal (401, 403 or 400 with a Bearer challenge). CORS preflights (`OPTIONS`) pass
 * through untouched, for a CORS middleware to answer.
 *
 * When the scope policy needs the body, it is read from a clone of the raw request, so the next
 * handler still gets an unread `c.req.raw` (the MCP SDK's transport reads it) as well as
 * `c.req.json()`. Mount `hono/body-limit` before this to bound what is read.
 * @see RFC 6750 §3; MCP Authorization (2026-07-28), "Access Token Usage"
 */
export function bearerAuth(guardOrOptions: BearerGuard | BearerGuardOptions): MiddlewareHandler<BearerAuthEnv> {
  const guard = 'check' in guardOrOptions ? guardOrOptions : createBearerGuard(guardOrOptions);

  function pass(c: Context<BearerAuthEnv>, identity: VerifiedIdentity, token: string): void {
    c.set('identity', identity);
    c.set('authInfo', toMcpAuthInfo(identity, token));
  }

  /** The full check; `readBody` when the scopes depend on the body or it is a form. */
  async function checkThenNext(
    c: Context<BearerAuthEnv>,
    next: Next,
    request: BearerRequest,
    readBody: boolean,
    contentType: string | undefined,
  ): Promise<Response | undefined> {
    let input = request;
    if (readBody) {
      // An earlier middleware may have read the body through HonoRequest, which caches it.
      const text = c.req.raw.bodyUsed ? await c.req.text() : await c.req.raw.clone().text();
      input = { ...input, ...parseBodyForGuard(text, contentType) };
    }
    const result = await guard.check(input);
    if (result.response !== undefined) return result.response;
    pass(c, result.identity, result.token);
    await next();
    return undefined;
  }

  return (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const request: BearerRequest = { url: c.req.url, headers: c.req.raw.headers };
    const contentType = c.req.header('content-type');
    if (mustReadBody(guard, c.req.method, contentType)) return checkThenNext(c, next, request, true, contentType);
    // The steady state: a token already verified and cached, no body needed, no promise of ours.
    const cached = guard.checkCached(request);
    if (cached === undefined) return checkThenNext(c, next, request, false, contentType);
    pass(c, cached.identity, cached.token);
    return next();
  };
}

/**
 * Serves the RFC 9728 document at its path-aware well-known path and the root one; passes any
 * other request on. Mount with `app.use('*', …)`.
 */
export function protectedResourceMetadataMiddleware(metadata: ProtectedResourceMetadata): MiddlewareHandler {
  return async (c, next) => protectedResourceMetadataResponse(c.req.raw, metadata) ?? next();
}
