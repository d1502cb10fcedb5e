import { z } from 'zod';
import { parseStoredJson } from '../../core/stored-json.js';
import type { UpstreamTokensRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { UpstreamError } from './upstream-error.js';
import type { UpstreamProvider, UpstreamTokenSet } from './upstream-provider.js';

/** AES-GCM associated data: sealed tokens cannot be moved to another grant's row. */
const sealContext = (grantId: string) => `upstream-tokens:${grantId}`;

/**
 * Whether an upstream access token is still good to hand on: not within a minute of expiring, or
 * of the last half of its life for a short-lived one (else every use of a token that lives under
 * a minute would refresh it).
 */
function isFresh(tokens: UpstreamTokenSet, now: number): boolean {
  if (tokens.expiresAt === undefined) return true;
  const margin = Math.min(60, (tokens.expiresAt - tokens.obtainedAt) / 2);
  return tokens.expiresAt - margin > now;
}
/** Failed attempts to revoke upstream tokens before they are dropped anyway. */
const MAX_REVOKE_ATTEMPTS = 5;

/** Keeps the upstream tokens obtained at sign-in for the grant `grantId` will make, sealed. */
export async function saveUpstreamTokens(
  ctx: ServerContext,
  grant: { grantId: string; providerId: string; userId: string },
  tokens: UpstreamTokenSet,
): Promise<void> {
  const now = nowSeconds(ctx.clock);
  await ctx.store.federation.saveUpstreamTokens({
    ...grant,
    sealed: ctx.keyring.seal(JSON.stringify(tokens), sealContext(grant.grantId)),
    accessExpiresAt: tokens.expiresAt ?? null,
    version: 0,
    revokeAttempts: 0,
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * What the gateway can hand the protected MCP server for a grant: the upstream access token
 * (refreshed first when it expires within a minute), `none` for a grant made without an upstream
 * (a local user), or `ended` when the upstream no longer honours the grant (refresh refused, or
 * expired with nothing to refresh with): the user must sign in again.
 */
export type UpstreamAccess = { readonly accessToken: string } | 'none' | 'ended';

/** `UpstreamTokenSet` as it is sealed (JSON, which drops an absent refresh token and expiry). */
const storedTokenSetSchema: z.ZodType<UpstreamTokenSet> = z
  .object({ accessToken: z.string(), refreshToken: z.string().optional(), expiresAt: z.number().optional(), obtainedAt: z.number() })
  .transform((tokens) => ({ ...tokens, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt }));

/** The tokens a row holds; undefined for a row not of that shape, which is as good as ended. */
function openTokens(ctx: ServerContext, row: UpstreamTokensRecord): UpstreamTokenSet | undefined {
  const tokens = parseStoredJson(ctx.keyring.open(row.sealed, sealContext(row.grantId)), storedTokenSetSchema);
  if (tokens === undefined)
    ctx.logger.warn(
      { event: 'stored_row_invalid', table: 'upstream_tokens', grant_id: row.grantId },
      'upstream tokens are not of the stored shape; the grant is ended',
    );
  return tokens;
}

/** Revokes a set of upstream tokens at the provider: the refresh token first, since revoking it ends the provider's grant, access tokens often with it (RFC 7009 §2.1). */
export async function revokeAtProvider(provider: UpstreamProvider, tokens: UpstreamTokenSet): Promise<void> {
  if (tokens.refreshToken !== undefined) await provider.revoke(tokens.refreshToken, 'refresh_token');
  await provider.revoke(tokens.accessToken, 'access_token');
}

/**
 * Upstream access tokens for grants, refreshed on demand: once per grant at a time in this process
 * (concurrent callers share the refresh), and across processes by a compare-and-set on the row's
 * version, so a rotated upstream refresh token is never lost to a second refresh.
 */
export function createUpstreamTokenAccess(ctx: ServerContext) {
  const refreshing = new Map<string, Promise<UpstreamAccess>>();

  /** Refreshes the tokens of `row`; after losing a compare-and-set, uses (or refreshes) what the winner stored. */
  async function refresh(first: UpstreamTokensRecord): Promise<UpstreamAccess> {
    let row: UpstreamTokensRecord | undefined = first;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (row === undefined) return 'none';
      const tokens = openTokens(ctx, row);
      if (tokens === undefined) return 'ended';
      const now = nowSeconds(ctx.clock);
      if (isFresh(tokens, now)) return { accessToken: tokens.accessToken };
      const provider = ctx.federation?.providers.get(row.providerId);
      if (tokens.refreshToken === undefined || provider === undefined)
        return tokens.expiresAt !== undefined && tokens.expiresAt > now ? { accessToken: tokens.accessToken } : 'ended';
      let fresh: UpstreamTokenSet;
      try {
        fresh = await provider.refresh(tokens.refreshToken);
      } catch (error) {
        if (error instanceof UpstreamError && error.failure !== 'unavailable') {
          ctx.logger.warn(
            { event: 'upstream_refresh_refused', provider: row.providerId, grant_id: row.grantId, detail: error.detail },
            'upstream refused to refresh',
          );
          return 'ended';
        }
        throw error;
      }
      const sealed = ctx.keyring.seal(JSON.stringify(fresh), sealContext(row.grantId));
      if (await ctx.store.federation.replaceUpstreamTokens(row.grantId, row.version, sealed, fresh.expiresAt ?? null, now)) {
        ctx.logger.info({ event: 'upstream_refreshed', provider: row.providerId, grant_id: row.grantId }, 'upstream tokens refreshed');
        return { accessToken: fresh.accessToken };
      }
      // Another process refreshed first: read what it stored.
      row = await ctx.store.federation.findUpstreamTokens(row.grantId);
    }
    throw new UpstreamError('unavailable', 'upstream tokens kept changing during refresh');
  }

  return {
    /** The upstream access for `grantId`; throws UpstreamError('unavailable') when the provider cannot be reached. */
    async accessFor(grantId: string): Promise<UpstreamAccess> {
      const row = await ctx.store.federation.findUpstreamTokens(grantId);
      if (row === undefined) return 'none';
      const tokens = openTokens(ctx, row);
      if (tokens === undefined) return 'ended';
      if (isFresh(tokens, nowSeconds(ctx.clock))) return { accessToken: tokens.accessToken };
      let pending = refreshing.get(grantId);
      if (pending === undefined) {
        pending = refresh(row).finally(() => refreshing.delete(grantId));
        refreshing.set(grantId, pending);
      }
      return pending;
    },
  };
}

export type UpstreamTokenAccess = ReturnType<typeof createUpstreamTokenAccess>;

/**
 * Revokes at the provider (RFC 7009) the upstream tokens of grants that ended — revoked, or never
 * made because the code was not redeemed — then forgets them. A provider that cannot be reached
 * is tried again on later runs, up to MAX_REVOKE_ATTEMPTS. Returns how many were handled.
 */
export async function revokeEndedUpstreamTokens(ctx: ServerContext): Promise<number> {
  const now = nowSeconds(ctx.clock);
  // A grant is made when its code is redeemed: at most a pending request's life plus a code's after sign-in.
  const orphanedBefore = now - ctx.config.pendingAuthorizationTtlSeconds - ctx.config.codeTtlSeconds - 60;
  const ended = await ctx.store.federation.listEndedUpstreamTokens(orphanedBefore, 100);
  for (const row of ended) {
    const provider = ctx.federation?.providers.get(row.providerId);
    try {
      if (provider !== undefined) {
        const tokens = openTokens(ctx, row);
        // Unreadable tokens cannot be revoked upstream: forget them, as when the provider is gone.
        if (tokens !== undefined) await revokeAtProvider(provider, tokens);
      }
      await ctx.store.federation.deleteUpstreamTokens(row.grantId);
      ctx.logger.info({ event: 'upstream_revoked', provider: row.providerId, grant_id: row.grantId }, 'upstream tokens revoked');
    } catch (error) {
      const detail = error instanceof UpstreamError ? error.detail : error instanceof Error ? error.name : String(error);
      const attempts = await ctx.store.federation.noteRevokeAttempt(row.grantId);
      if (attempts >= MAX_REVOKE_ATTEMPTS) await ctx.store.federation.deleteUpstreamTokens(row.grantId);
      ctx.logger.warn(
        { event: 'upstream_revoke_failed', provider: row.providerId, grant_id: row.grantId, attempts, detail },
        'revoking upstream tokens failed',
      );
    }
  }
  return ended.length;
}
