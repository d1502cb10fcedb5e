import { OAuthError } from '../../core/errors.js';
import { hashSecret } from '../../core/secrets.js';
import { isScopeSubset, parseScope } from '../../core/scopes.js';
import type { ClientRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import { findResource } from '../config.js';
import type { ServerContext } from '../context.js';
import { issueTokens, type TokenResponse } from '../issue-tokens.js';

const invalidGrant = (detail: string) => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.', { detail });

/**
 * The refresh_token grant with rotation (OAuth 2.1 §4.3, RFC 9700 §4.14.2): every use spends the
 * token and issues a new one in the same grant; using a spent token revokes the whole grant
 * (DESIGN.md invariant 5). Scope may only narrow; the resource stays the one authorized.
 */
export async function rotateRefreshToken(ctx: ServerContext, client: ClientRecord, params: Record<string, string>): Promise<TokenResponse> {
  const presented = params['refresh_token'];
  if (presented === undefined || presented === '') throw new OAuthError('invalid_request', 'refresh_token is required.');
  const requestedScope = params['scope'] === undefined ? undefined : parseScope(params['scope']);
  if (requestedScope === null) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');

  const now = nowSeconds(ctx.clock);
  const tokenHash = hashSecret(presented);
  // Refuse a bad scope or resource before spending the token, so a malformed request loses nothing.
  const existing = await ctx.store.grants.findRefreshToken(tokenHash);
  if (existing !== undefined && existing.clientId === client.clientId) {
    if (requestedScope !== undefined && !isScopeSubset(requestedScope, existing.scope)) {
      throw new OAuthError('invalid_scope', 'A refresh may only narrow the scope.');
    }
    const grant = await ctx.store.grants.find(existing.grantId);
    if (params['resource'] !== undefined && grant !== undefined && findResource(ctx.config, params['resource'])?.uri !== grant.resource) {
      throw new OAuthError('invalid_target', 'The resource differs from the one authorized.');
    }
  }

  const rotation = await ctx.store.grants.spendRefreshToken(tokenHash, client.clientId, now);
  switch (rotation.outcome) {
    case 'rotated': {
      const accessScope = requestedScope !== undefined && requestedScope.length > 0 ? requestedScope : rotation.token.scope;
      return issueTokens(ctx, client, rotation.grant, accessScope, rotation.token.scope);
    }
    case 'reused':
      await ctx.store.grants.revoke(rotation.token.grantId, now);
      ctx.logger.warn({ event: 'refresh_token_reused', client_id: client.clientId, grant_id: rotation.token.grantId }, 'spent refresh token reused; grant revoked');
      throw invalidGrant('refresh token reused');
    default:
      throw invalidGrant(`refresh token ${rotation.outcome}`);
  }
}
