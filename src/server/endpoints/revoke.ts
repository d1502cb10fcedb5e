import type { Context } from 'hono';
import { OAuthError } from '../../core/errors.js';
import { authenticateClient } from '../clients/client-authentication.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { jsonResponse } from '../http/error-response.js';
import { readFormBody } from '../http/form-parameters.js';
import { verifyOwnAccessToken } from '../tokens/access-token.js';
import { grantIdOfAccessToken } from '../tokens/access-token-id.js';

/**
 * Token revocation (RFC 7009 §2). Revoking a refresh token revokes its whole grant, access tokens
 * included (§2.1); revoking an access token revokes that token. Unknown tokens, and tokens of
 * another client, get the same 200 (§2.2), so the endpoint reveals nothing.
 */
export function revokeEndpoint(ctx: ServerContext) {
  return async (c: Context): Promise<Response> => {
    const params = await readFormBody(c.req.raw);
    const client = await authenticateClient(ctx, c.req.header('authorization') ?? null, params);
    // Checked by hand, not with a zod schema, on purpose: the error code is chosen per parameter
    // (RFC 7009 §2.2.1, with the codes of RFC 6749 §5.2).
    const token = params['token'];
    if (token === undefined || token === '') throw new OAuthError('invalid_request', 'token is required.');
    const now = nowSeconds(ctx.clock);

    // Any refresh token the grant issued, current or spent, proves the grant: it ends with it.
    const refresh = ctx.refreshTokens.read(token);
    if (refresh !== undefined) {
      const grant = await ctx.store.grants.find(refresh.grantId);
      if (grant !== undefined && grant.clientId === client.clientId) {
        await ctx.store.grants.revoke(grant.id, now);
        ctx.grantsEnded();
        // RFC 7009 §2.1: revoking a refresh token ends its grant.
        await ctx.events.record({
          type: 'grant_revoked',
          userId: grant.userId,
          clientId: client.clientId,
          outcome: 'revoked',
          detail: { grant_id: grant.id, by: 'client' },
        });
      }
      return jsonResponse({});
    }
    const access = await verifyOwnAccessToken(ctx.signingKeys, ctx.config.issuer, token, now);
    if (access !== null && access.clientId === client.clientId) {
      // A token issued before jtis named their grant has a record already, which keeps its grant.
      const grantId = grantIdOfAccessToken(access.jti) ?? '';
      await ctx.store.grants.revokeAccessToken({ jti: access.jti, grantId, clientId: access.clientId, expiresAt: access.exp, revokedAt: now }, now);
      ctx.logger.info({ event: 'access_token_revoked', client_id: client.clientId }, 'access token revoked');
    }
    return jsonResponse({});
  };
}
