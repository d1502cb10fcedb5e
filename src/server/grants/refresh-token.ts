import { OAuthError } from '../../core/errors.js';
import { hashSecret } from '../../core/secrets.js';
import { isScopeSubset, parseScope } from '../../core/scopes.js';
import type { ClientRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import { findResource } from '../config.js';
import type { ServerContext } from '../context.js';
import { planTokens, tokenResponse, type PlannedTokens, type TokenResponse } from '../issue-tokens.js';

const invalidGrant = (detail: string) => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.', { detail });

/**
 * The refresh_token grant with rotation (OAuth 2.1 §4.3, RFC 9700 §4.14.2): every use spends the
 * token and issues a new one in the same grant, in one transaction; using a spent token revokes
 * the whole grant (DESIGN.md invariant 5). Scope may only narrow; the resource stays the one
 * authorized. A refused scope or resource rolls the spend back, so a bad request loses nothing.
 */
export async function rotateRefreshToken(ctx: ServerContext, client: ClientRecord, params: Record<string, string>): Promise<TokenResponse> {
  const presented = params['refresh_token'];
  if (presented === undefined || presented === '') throw new OAuthError('invalid_request', 'refresh_token is required.');
  const requestedScope = params['scope'] === undefined ? undefined : parseScope(params['scope']);
  if (requestedScope === null) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  const requestedResource = params['resource'];

  const now = nowSeconds(ctx.clock);
  let planned: PlannedTokens | undefined;
  const rotation = await ctx.store.grants.spendRefreshToken(hashSecret(presented), client.clientId, now, (spent, grant) => {
    if (requestedScope !== undefined && !isScopeSubset(requestedScope, spent.scope)) {
      throw new OAuthError('invalid_scope', 'A refresh may only narrow the scope.');
    }
    // RFC 8707 §2.2: the token stays bound to the resource the grant was for.
    if (requestedResource !== undefined && findResource(ctx.config, requestedResource)?.uri !== grant.resource) {
      throw new OAuthError('invalid_target', 'The resource differs from the one authorized.');
    }
    const accessScope = requestedScope !== undefined && requestedScope.length > 0 ? requestedScope : spent.scope;
    planned = planTokens(ctx, client, grant, accessScope, spent.scope);
    return { refreshToken: planned.refreshRecord };
  });
  switch (rotation.outcome) {
    case 'rotated':
      return tokenResponse(ctx, client, rotation.grant, planned!);
    case 'reused':
      await ctx.store.grants.revoke(rotation.token.grantId, now);
      ctx.grantsEnded();
      ctx.logger.warn({ event: 'refresh_token_reused', client_id: client.clientId, grant_id: rotation.token.grantId }, 'spent refresh token reused; grant revoked');
      throw invalidGrant('refresh token reused');
    default:
      throw invalidGrant(`refresh token ${rotation.outcome}`);
  }
}
