import type { ServerResponse } from 'node:http';
import { type BearerGuard, type BearerGuardOptions, createBearerGuard } from '../bearer-guard.js';
import { toMcpAuthInfo } from '../mcp-auth-info.js';
import type { VerifiedIdentity } from '../types.js';
import {
  cachedPassFromNode,
  type GuardedIncomingMessage,
  guardRequestFromNode,
  type NodeGuardOptions,
  requestTooLarge,
  writeWebResponse,
} from './node-http.js';

/** The parts of Express's request and response this middleware uses (no dependency on express). */
export type ExpressLikeRequest = GuardedIncomingMessage & { identity?: VerifiedIdentity };
export type ExpressLikeResponse = ServerResponse & { locals?: Record<string, unknown> };

/**
 * Express middleware requiring a bearer token. On success it sets `req.auth` to the MCP SDK's
 * `AuthInfo` (`StreamableHTTPServerTransport` reads `req.auth` and hands it to tool handlers as
 * `extra.authInfo`) and `req.identity` / `res.locals.identity` to the VerifiedIdentity; otherwise
 * it answers the refusal (401, 403 or 400 with a Bearer challenge) itself. A token already
 * verified and still cached is checked synchronously: `next()` runs in the same tick.
 *
 * Mount `express.json()` before it, or let it read the body when the scope policy needs it (it
 * then sets `req.body`, which you pass on as `transport.handleRequest(req, res, req.body)`).
 * @see RFC 6750 §3; MCP Authorization (2026-07-28), "Access Token Usage"
 */
export function requireBearerToken(
  guardOrOptions: BearerGuard | BearerGuardOptions,
  nodeOptions: NodeGuardOptions = {},
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (error?: unknown) => void) => void | Promise<void> {
  const guard = 'check' in guardOrOptions ? guardOrOptions : createBearerGuard(guardOrOptions);

  async function checkThenNext(req: ExpressLikeRequest, res: ExpressLikeResponse, next: (error?: unknown) => void): Promise<void> {
    try {
      const input = await guardRequestFromNode(guard, req, undefined, nodeOptions.maxBodyBytes);
      if (input === 'too-large') {
        await writeWebResponse(res, requestTooLarge());
        return;
      }
      const result = await guard.check(input);
      if (result.response !== undefined) {
        await writeWebResponse(res, result.response);
        return;
      }
      req.auth = toMcpAuthInfo(result.identity, result.token);
      setIdentity(req, res, result.identity);
      next();
    } catch (error) {
      next(error);
    }
  }

  return (req, res, next) => {
    const pass = cachedPassFromNode(guard, req, undefined);
    if (pass === undefined) return checkThenNext(req, res, next);
    setIdentity(req, res, pass.identity);
    return next();
  };
}

function setIdentity(req: ExpressLikeRequest, res: ExpressLikeResponse, identity: VerifiedIdentity): void {
  req.identity = identity;
  if (res.locals !== undefined) res.locals['identity'] = identity;
}
