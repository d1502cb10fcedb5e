import { hashSecret, randomSecret } from '../core/secrets.js';
import { formatScope } from '../core/scopes.js';
import type { ClientRecord, GrantRecord, RefreshTokenRecord } from '../store/types.js';
import { mintAccessToken, newAccessTokenTiming } from './access-token.js';
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
 * Tokens chosen but not yet stored or signed: the refresh token's record to store, and what to
 * sign and answer. The access token needs no record: its `jti` names its grant (access-token-id.ts).
 */
export interface PlannedTokens {
  refreshToken: string | undefined;
  refreshRecord: RefreshTokenRecord | null;
  accessTiming: { jti: string; issuedAt: number; expiresAt: number };
  accessScope: readonly string[];
}

/**
 * Chooses the tokens to issue in a grant: an access token (JWT, RFC 9068) and, for clients allowed
 * the refresh grant, a new refresh token. `accessScope` may be narrower than the refresh token's
 * scope (RFC 6749 §6: a rotated refresh token keeps the scope of the one it replaces).
 */
export function planTokens(ctx: ServerContext, client: ClientRecord, grant: GrantRecord, accessScope: readonly string[], refreshScope: readonly string[]): PlannedTokens {
  const now = nowSeconds(ctx.clock);
  const accessTiming = newAccessTokenTiming(grant.id, now, ctx.config.accessTokenTtlSeconds);
  const refreshToken = client.grantTypes.includes('refresh_token') ? randomSecret(32) : undefined;
  return {
    refreshToken,
    refreshRecord:
      refreshToken === undefined
        ? null
        : { tokenHash: hashSecret(refreshToken), grantId: grant.id, clientId: client.clientId, scope: [...refreshScope], createdAt: now, expiresAt: now + ctx.config.refreshTokenTtlSeconds, usedAt: null },
    accessTiming,
    accessScope,
  };
}

/** Signs the planned access token (after the refresh token is stored) and builds the response. */
export async function tokenResponse(ctx: ServerContext, client: ClientRecord, grant: GrantRecord, planned: PlannedTokens): Promise<TokenResponse> {
  const accessToken = await mintAccessToken(
    ctx.signingKeys,
    ctx.config.issuer,
    { sub: grant.userId, clientId: client.clientId, scope: planned.accessScope, resource: grant.resource },
    planned.accessTiming,
  );
  const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: ctx.config.accessTokenTtlSeconds, scope: formatScope(planned.accessScope) };
  if (planned.refreshToken !== undefined) response.refresh_token = planned.refreshToken;
  return response;
}

/** Plans, stores and signs the tokens of a grant (the authorization code grant's last step). */
export async function issueTokens(
  ctx: ServerContext,
  client: ClientRecord,
  grant: GrantRecord,
  accessScope: readonly string[],
  refreshScope: readonly string[],
): Promise<TokenResponse> {
  const planned = planTokens(ctx, client, grant, accessScope, refreshScope);
  if (planned.refreshRecord !== null) await ctx.store.grants.addRefreshToken(planned.refreshRecord);
  return tokenResponse(ctx, client, grant, planned);
}
