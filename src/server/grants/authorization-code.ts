import { OAuthError } from '../../core/errors.js';
import { isValidCodeVerifier, verifyPkce } from '../../core/pkce.js';
import { findResource } from '../../core/resource-uri.js';
import { hashSecret } from '../../core/secrets.js';
import type { ClientRecord, GrantRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { issueTokens, type TokenResponse } from '../tokens/issue-tokens.js';

const invalidGrant = (detail: string) => new OAuthError('invalid_grant', 'The authorization code is invalid, expired or already used.', { detail });

/**
 * The authorization_code grant (OAuth 2.1 §4.1.3). The code is consumed atomically before any
 * check, so a failed check burns it; a replayed code revokes every token issued from it
 * (RFC 6749 §4.1.2, RFC 9700 §4.5; docs/design.md invariant 2).
 */
export async function redeemAuthorizationCode(ctx: ServerContext, client: ClientRecord, params: Record<string, string>): Promise<TokenResponse> {
  // Checked by hand, not with a zod schema, on purpose: each refusal has its own error code
  // (RFC 6749 §5.2: invalid_request for a missing or malformed one, then invalid_grant; RFC 8707 invalid_target).
  const { code, redirect_uri: redirectUri, code_verifier: verifier } = params;
  if (code === undefined || code === '') throw new OAuthError('invalid_request', 'code is required.');
  if (verifier === undefined) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE).');
  // RFC 7636 §4.1: 43–128 unreserved characters; malformed requests change nothing stored.
  if (!isValidCodeVerifier(verifier)) throw new OAuthError('invalid_request', 'code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~].');
  if (redirectUri === undefined) throw new OAuthError('invalid_request', 'redirect_uri is required.');

  const now = nowSeconds(ctx.clock);
  const redemption = await ctx.store.codes.consume(hashSecret(code), now);
  if (redemption.outcome === 'unknown') throw invalidGrant('unknown code');
  if (redemption.outcome === 'replayed') {
    await ctx.store.grants.revokeFromCode(redemption.code, now);
    ctx.grantsEnded();
    await ctx.events.record({
      type: 'code_replayed',
      userId: redemption.code.userId,
      clientId: client.clientId,
      outcome: 'revoked',
      detail: { grant_id: redemption.code.grantId, families_revoked: 1 },
    });
    throw invalidGrant('code already used');
  }
  const stored = redemption.code;
  if (stored.expiresAt <= now) throw invalidGrant('code expired');
  if (stored.clientId !== client.clientId) throw invalidGrant('code issued to another client');
  // OAuth 2.1 §4.1.3: redirect_uri must be identical to the one in the authorization request.
  if (stored.redirectUri !== redirectUri) throw invalidGrant('redirect_uri differs from the authorization request');
  if (!verifyPkce(verifier, stored.codeChallenge)) {
    // The code was consumed above: a wrong verifier burns it (invariant 2).
    await ctx.events.record({
      type: 'pkce_failed',
      userId: stored.userId,
      clientId: client.clientId,
      outcome: 'refused',
      detail: { grant_id: stored.grantId },
    });
    throw invalidGrant('PKCE verification failed');
  }
  if (params['resource'] !== undefined && findResource(ctx.config, params['resource'])?.uri !== stored.resource) {
    throw new OAuthError('invalid_target', 'The resource differs from the one authorized.');
  }

  const refreshes = client.grantTypes.includes('refresh_token');
  const grant: GrantRecord = {
    id: stored.grantId,
    clientId: client.clientId,
    userId: stored.userId,
    scope: stored.scope,
    resource: stored.resource,
    createdAt: now,
    revokedAt: null,
    // The grant's first refresh token is generation 0 (refresh-token-value.ts).
    refreshGeneration: refreshes ? 0 : null,
    refreshExpiresAt: refreshes ? now + ctx.config.refreshTokenTtlSeconds : null,
    // The redemption issues the grant's first tokens: its first use (`portcullis grants list`, `clients prune`).
    lastUsedAt: now,
  };
  await ctx.store.grants.create(grant);
  // The redemption that won the atomic consume always answers with tokens. A replay racing it
  // revokes the grant (created revoked if the replay got there first), so those tokens may be
  // dead on arrival: exactly one success, and nothing live after a replay (invariant 2).
  const tokens = await issueTokens(ctx, client, grant, stored.scope);
  ctx.logger.info({ event: 'code_redeemed', client_id: client.clientId, grant_id: grant.id }, 'authorization code redeemed');
  return tokens;
}
