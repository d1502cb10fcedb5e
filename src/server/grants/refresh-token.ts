import { OAuthError } from '../../core/errors.js';
import { isScopeSubset, parseScope } from '../../core/scopes.js';
import type { ClientRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import { findResource } from '../config.js';
import type { ServerContext } from '../context.js';
import { issueTokens, type TokenResponse } from '../issue-tokens.js';

const invalidGrant = (detail: string) => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.', { detail });

/**
 * The refresh_token grant with rotation (OAuth 2.1 §4.3, RFC 9700 §4.14.2). A refresh token names
 * its grant and its generation in it (refresh-token-value.ts): the current generation is spent by
 * one conditional UPDATE that moves the grant to the next, so exactly one concurrent use wins;
 * an earlier generation is a reused token and revokes the whole grant (DESIGN.md invariant 5).
 * Scope may only narrow; the resource stays the one authorized. Every check runs before the
 * rotation, so a refused request spends nothing.
 */
export async function rotateRefreshToken(ctx: ServerContext, client: ClientRecord, params: Record<string, string>): Promise<TokenResponse> {
  const presented = params['refresh_token'];
  if (presented === undefined || presented === '') throw new OAuthError('invalid_request', 'refresh_token is required.');
  const requestedScope = params['scope'] === undefined ? undefined : parseScope(params['scope']);
  if (requestedScope === null) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  const requestedResource = params['resource'];

  const token = ctx.refreshTokens.read(presented);
  if (token === undefined) throw invalidGrant('not a refresh token of this server');
  const grant = await ctx.store.grants.find(token.grantId);
  // Another client's token is as unknown to this one as a made-up one (RFC 6749 §6).
  if (grant === undefined || grant.clientId !== client.clientId || grant.refreshGeneration === null) throw invalidGrant('unknown refresh token');
  if (grant.revokedAt !== null) throw invalidGrant('grant revoked');
  if (token.generation > grant.refreshGeneration) throw invalidGrant('refresh token from the future');
  const now = nowSeconds(ctx.clock);
  if (token.generation < grant.refreshGeneration) return reused(ctx, client, grant.id, now);
  if (grant.refreshExpiresAt === null || grant.refreshExpiresAt <= now) throw invalidGrant('refresh token expired');

  if (requestedScope !== undefined && !isScopeSubset(requestedScope, grant.scope)) {
    throw new OAuthError('invalid_scope', 'A refresh may only narrow the scope.');
  }
  // RFC 8707 §2.2: the token stays bound to the resource the grant was for.
  if (requestedResource !== undefined && findResource(ctx.config, requestedResource)?.uri !== grant.resource) {
    throw new OAuthError('invalid_target', 'The resource differs from the one authorized.');
  }

  const rotated = await ctx.store.grants.rotateRefreshToken({
    grantId: grant.id,
    clientId: client.clientId,
    generation: token.generation,
    now,
    expiresAt: now + ctx.config.refreshTokenTtlSeconds,
  });
  // Lost the race: another request spent this very token a moment ago. Two uses of one refresh
  // token are a reuse, whichever came first (RFC 9700 §4.14.2).
  if (rotated === undefined) return reused(ctx, client, grant.id, now);
  const accessScope = requestedScope !== undefined && requestedScope.length > 0 ? requestedScope : grant.scope;
  return issueTokens(ctx, client, rotated, accessScope);
}

async function reused(ctx: ServerContext, client: ClientRecord, grantId: string, now: number): Promise<never> {
  await ctx.store.grants.revoke(grantId, now);
  ctx.grantsEnded();
  ctx.logger.warn({ event: 'refresh_token_reused', client_id: client.clientId, grant_id: grantId }, 'spent refresh token reused; grant revoked');
  throw invalidGrant('refresh token reused');
}
