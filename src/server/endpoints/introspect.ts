import type { Context } from 'hono';
import { OAuthError } from '../../core/errors.js';
import { formatScope } from '../../core/scopes.js';
import { authenticateClient } from '../clients/client-authentication.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { jsonResponse } from '../http/error-response.js';
import { readFormBody } from '../http/form-parameters.js';
import { verifyOwnAccessToken } from '../tokens/access-token.js';
import { isAccessTokenLive } from '../tokens/access-token-status.js';

const INACTIVE = { active: false } as const;

/**
 * Token introspection (RFC 7662 §2) for resource servers: the caller must be a pre-registered
 * confidential client (RFC 7662 §2.1 requires authorization; dynamically registered clients
 * may not probe tokens). Anything not live is `{"active": false}` (§2.2).
 */
export function introspectEndpoint(ctx: ServerContext) {
  return async (c: Context): Promise<Response> => {
    const params = await readFormBody(c.req.raw);
    // Checked by hand, not with a zod schema, on purpose: the error code is chosen per parameter
    // (RFC 7662 §2.3, with the codes of RFC 6749 §5.2).
    const caller = await authenticateClient(ctx, c.req.header('authorization') ?? null, params);
    if (caller.tokenEndpointAuthMethod === 'none' || caller.source !== 'static') {
      throw new OAuthError('invalid_client', 'Introspection is for pre-registered confidential clients.', { detail: `caller ${caller.clientId}` });
    }
    const token = params['token'];
    if (token === undefined || token === '') throw new OAuthError('invalid_request', 'token is required.');
    const now = nowSeconds(ctx.clock);

    const access = await verifyOwnAccessToken(ctx.signingKeys, ctx.config.issuer, token, now);
    if (access !== null) {
      if (!(await isAccessTokenLive(ctx, access.jti))) return jsonResponse(INACTIVE);
      const user = await ctx.store.users.findById(access.sub);
      return jsonResponse({
        active: true,
        token_type: 'Bearer',
        scope: access.scope,
        client_id: access.clientId,
        sub: access.sub,
        ...(user !== undefined ? { username: user.username } : {}),
        aud: access.aud,
        iss: ctx.config.issuer,
        iat: access.iat,
        exp: access.exp,
        jti: access.jti,
      });
    }

    const refresh = ctx.refreshTokens.read(token);
    if (refresh === undefined) return jsonResponse(INACTIVE);
    const grant = await ctx.store.grants.find(refresh.grantId);
    // Only the grant's current refresh token is active; a spent one is not (RFC 7662 §2.2).
    if (grant === undefined || grant.revokedAt !== null || grant.refreshGeneration !== refresh.generation) return jsonResponse(INACTIVE);
    if (grant.refreshExpiresAt === null || grant.refreshExpiresAt <= now) return jsonResponse(INACTIVE);
    return jsonResponse({
      active: true,
      token_type: 'refresh_token',
      scope: formatScope(grant.scope),
      client_id: grant.clientId,
      sub: grant.userId,
      aud: grant.resource,
      iss: ctx.config.issuer,
      exp: grant.refreshExpiresAt,
    });
  };
}
