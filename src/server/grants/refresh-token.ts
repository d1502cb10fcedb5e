import { OAuthError } from '../../core/errors.js';
import { findResource } from '../../core/resource-uri.js';
import { isScopeSubset, parseScope } from '../../core/scopes.js';
import type { ClientRecord, GrantRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { issueTokens, type TokenResponse } from '../tokens/issue-tokens.js';
import type { RefreshTokenId } from '../tokens/refresh-token-value.js';

const invalidGrant = (detail: string) => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.', { detail });
const otherResource = () => new OAuthError('invalid_target', 'The resource differs from the one authorized.');

/**
 * The refresh_token grant with rotation (OAuth 2.1 §4.3, RFC 9700 §4.14.2). A refresh token names
 * its grant and its generation in it (refresh-token-value.ts). The current generation is spent
 * by one conditional UPDATE that moves the grant to the next, so exactly one concurrent use wins;
 * an earlier generation is a reused token and revokes the whole grant (docs/design.md invariant 5).
 * Scope may only narrow; the resource stays the one authorized (RFC 8707 §2.2), and is part of
 * the UPDATE's condition. A refused request spends nothing.
 */
export async function rotateRefreshToken(ctx: ServerContext, client: ClientRecord, params: Record<string, string>): Promise<TokenResponse> {
  // Checked by hand, not with a zod schema, on purpose: each parameter has its own error code
  // (RFC 6749 §5.2: invalid_request, invalid_scope, invalid_target per RFC 8707 §2).
  const presented = params['refresh_token'];
  if (presented === undefined || presented === '') throw new OAuthError('invalid_request', 'refresh_token is required.');
  const requestedScope = params['scope'] === undefined ? undefined : parseScope(params['scope']);
  if (requestedScope === null) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  const requestedResource = params['resource'];
  const resource = requestedResource === undefined ? undefined : findResource(ctx.config, requestedResource)?.uri;
  if (requestedResource !== undefined && resource === undefined) throw otherResource();

  const token = ctx.refreshTokens.read(presented);
  if (token === undefined) throw invalidGrant('not a refresh token of this server');
  const now = nowSeconds(ctx.clock);
  if (requestedScope !== undefined) {
    // Narrowing needs the grant's scope before anything is spent.
    const grant = await ctx.store.grants.find(token.grantId);
    if (grant === undefined || !isRotatable(grant, client, token, now, resource)) return refuse(ctx, client, token, grant, now, resource);
    if (!isScopeSubset(requestedScope, grant.scope)) throw new OAuthError('invalid_scope', 'A refresh may only narrow the scope.');
  }

  const rotated = await ctx.store.grants.rotateRefreshToken({
    grantId: token.grantId,
    clientId: client.clientId,
    generation: token.generation,
    now,
    expiresAt: now + ctx.config.refreshTokenTtlSeconds,
    ...(resource !== undefined ? { resource } : {}),
  });
  if (rotated === undefined) return refuse(ctx, client, token, await ctx.store.grants.find(token.grantId), now, resource);
  const accessScope = requestedScope !== undefined && requestedScope.length > 0 ? requestedScope : rotated.scope;
  return issueTokens(ctx, client, rotated, accessScope);
}

/** What the rotation's UPDATE requires of the grant, for a decision made before it. */
function isRotatable(grant: GrantRecord, client: ClientRecord, token: RefreshTokenId, now: number, resource: string | undefined): boolean {
  return (
    grant.clientId === client.clientId &&
    grant.revokedAt === null &&
    grant.refreshGeneration === token.generation &&
    grant.refreshExpiresAt !== null &&
    grant.refreshExpiresAt > now &&
    (resource === undefined || grant.resource === resource)
  );
}

/**
 * Why a token did not rotate, read from its grant as it is now. An earlier generation — or the
 * current one a concurrent request spent first — is a reuse: two uses of one refresh token,
 * whichever came first, revoke the grant (RFC 9700 §4.14.2).
 */
async function refuse(
  ctx: ServerContext,
  client: ClientRecord,
  token: RefreshTokenId,
  grant: GrantRecord | undefined,
  now: number,
  resource: string | undefined,
): Promise<never> {
  // Another client's token is as unknown to this one as a made-up one (RFC 6749 §6).
  if (grant === undefined || grant.clientId !== client.clientId || grant.refreshGeneration === null) throw invalidGrant('unknown refresh token');
  if (grant.revokedAt !== null) throw invalidGrant('grant revoked');
  if (token.generation > grant.refreshGeneration) throw invalidGrant('refresh token from the future');
  if (token.generation < grant.refreshGeneration) {
    await ctx.store.grants.revoke(grant.id, now);
    ctx.grantsEnded();
    await ctx.events.record({
      type: 'refresh_reused',
      userId: grant.userId,
      clientId: client.clientId,
      outcome: 'revoked',
      detail: { grant_id: grant.id, generation: token.generation, current_generation: grant.refreshGeneration, families_revoked: 1 },
    });
    throw invalidGrant('refresh token reused');
  }
  if (grant.refreshExpiresAt === null || grant.refreshExpiresAt <= now) throw invalidGrant('refresh token expired');
  if (resource !== undefined && grant.resource !== resource) throw otherResource();
  // Not reached while generations only grow: a failed UPDATE with every condition still true.
  throw invalidGrant('refresh token not rotated');
}
