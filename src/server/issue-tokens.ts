import { hashSecret, randomSecret } from '../core/secrets.js';
import { formatScope } from '../core/scopes.js';
import type { ClientRecord, GrantRecord } from '../store/types.js';
import { mintAccessToken } from './access-token.js';
import { nowSeconds } from './clock.js';
import type { ServerContext } from './context.js';

/** The successful token response. @see RFC 6749 §5.1 */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

/**
 * Issues an access token (JWT, RFC 9068) and, for clients allowed the refresh grant, a new
 * refresh token in the same grant. `accessScope` may be narrower than the refresh token's scope
 * (RFC 6749 §6: a rotated refresh token keeps the scope of the one it replaces).
 */
export async function issueTokens(
  ctx: ServerContext,
  client: ClientRecord,
  grant: GrantRecord,
  accessScope: readonly string[],
  refreshScope: readonly string[],
): Promise<TokenResponse> {
  const now = nowSeconds(ctx.clock);
  const ttl = ctx.config.accessTokenTtlSeconds;
  const access = await mintAccessToken(ctx.signingKeys, ctx.config.issuer, { sub: grant.userId, clientId: client.clientId, scope: accessScope, resource: grant.resource }, now, ttl);
  await ctx.store.grants.addAccessToken({ jti: access.jti, grantId: grant.id, clientId: client.clientId, expiresAt: access.expiresAt, revokedAt: null });
  const response: TokenResponse = { access_token: access.token, token_type: 'Bearer', expires_in: ttl, scope: formatScope(accessScope) };
  if (client.grantTypes.includes('refresh_token')) {
    const refreshToken = randomSecret(32);
    await ctx.store.grants.addRefreshToken({
      tokenHash: hashSecret(refreshToken),
      grantId: grant.id,
      clientId: client.clientId,
      scope: [...refreshScope],
      createdAt: now,
      expiresAt: now + ctx.config.refreshTokenTtlSeconds,
      usedAt: null,
    });
    response.refresh_token = refreshToken;
  }
  return response;
}
