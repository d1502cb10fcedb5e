import { formatScope } from '../../core/scopes.js';
import type { ClientRecord, GrantRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { mintAccessToken, newAccessTokenTiming } from './access-token.js';

/** The successful token response. @see RFC 6749 §5.1 */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

/**
 * Signs an access token (JWT, RFC 9068) for the grant and answers it with the grant's current
 * refresh token, if it has one. The grant as stored says which refresh token is current
 * (`refreshGeneration`), so this runs after the grant was created or rotated. `accessScope` may be
 * narrower than the grant's (RFC 6749 §6: a rotated refresh token keeps the grant's scope).
 */
export async function issueTokens(ctx: ServerContext, client: ClientRecord, grant: GrantRecord, accessScope: readonly string[]): Promise<TokenResponse> {
  const timing = newAccessTokenTiming(grant.id, nowSeconds(ctx.clock), ctx.config.accessTokenTtlSeconds);
  const accessToken = await mintAccessToken(
    ctx.signingKeys,
    ctx.config.issuer,
    { sub: grant.userId, clientId: client.clientId, scope: accessScope, resource: grant.resource },
    timing,
  );
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ctx.config.accessTokenTtlSeconds,
    scope: formatScope(accessScope),
  };
  if (grant.refreshGeneration !== null) response.refresh_token = ctx.refreshTokens.mint({ grantId: grant.id, generation: grant.refreshGeneration });
  return response;
}
