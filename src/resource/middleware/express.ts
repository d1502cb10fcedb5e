import type { ServerResponse } from 'node:http';
import { createBearerGuard, type BearerGuard, type BearerGuardOptions } from '../bearer-guard.js';
import { toMcpAuthInfo } from '../mcp-auth-info.js';
import type { VerifiedIdentity } from '../types.js';
import { guardRequestFromNode, writeWebResponse, type GuardedIncomingMessage, type NodeGuardOptions } from './node-http.js';

/** The parts of Express's request and response this middleware uses (no dependency on express). */
export type ExpressLikeRequest = GuardedIncomingMessage & { identity?: VerifiedIdentity };
export type ExpressLikeResponse = ServerResponse & { locals?: Record<string, unknown> };

/**
 * Express middleware requiring a bearer token. On success it sets `req.auth` to the MCP SDK's
 * `AuthInfo` (`StreamableHTTPServerTransport` reads `req.auth` and hands it to tool handlers as
 * `extra.authInfo`) and `req.identity` / `res.locals.identity` to the VerifiedIdentity; otherwise
 * it answers the refusal (401, 403 or 400 with a Bearer challenge) itself.
 *
 * Mount `express.json()` before it, or let it read the body when the scope policy needs it (it
 * then sets `req.body`, which you pass on as `transport.handleRequest(req, res, req.body)`).
 * @see RFC 6750 §3; MCP Authorization (2026-07-28), "Access Token Usage"
 */
export function requireBearerToken(
  guardOrOptions: BearerGuard | BearerGuardOptions,
  nodeOptions: NodeGuardOptions = {},
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (error?: unknown) => void) => Promise<void> {
  const guard = 'check' in guardOrOptions ? guardOrOptions : createBearerGuard(guardOrOptions);
  return async (req, res, next) => {
    try {
      const input = await guardRequestFromNode(guard, req, undefined, nodeOptions.maxBodyBytes);
      if (input === 'too-large') {
        const tooLarge = Response.json({ error: 'invalid_request', error_description: 'The request body is too large.' }, { status: 413, headers: { Connection: 'close' } });
        await writeWebResponse(res, tooLarge);
        return;
      }
      const result = await guard.check(input);
      if (result.response !== undefined) {
        await writeWebResponse(res, result.response);
        return;
      }
      req.auth = toMcpAuthInfo(result.identity, result.token);
      req.identity = result.identity;
      if (res.locals !== undefined) res.locals['identity'] = result.identity;
      next();
    } catch (error) {
      next(error);
    }
  };
}
