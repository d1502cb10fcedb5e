import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { grantIdOfAccessToken } from '../tokens/access-token-id.js';
import { isAccessTokenLive } from '../tokens/access-token-status.js';
import { createUpstreamTokenAccess, type UpstreamAccess } from './upstream-tokens.js';

/**
 * The upstream access of the grant an access token (by `jti`) belongs to, for a gateway that hands
 * it to the protected server: `none` for a grant without upstream tokens that is still live,
 * `ended` when the grant was revoked, or when the upstream no longer honours it; then the grant is
 * revoked here too (and its upstream tokens soon after), so the client must sign in again.
 * The returned function throws UpstreamError ('unavailable') when the provider cannot be reached.
 */
export function createUpstreamAccessLookup(ctx: ServerContext): (jti: string) => Promise<UpstreamAccess> {
  const upstreamTokens = createUpstreamTokenAccess(ctx);
  return async (jti) => {
    const grantId = grantIdOfAccessToken(jti);
    if (grantId === undefined) return 'none';
    const access = await upstreamTokens.accessFor(grantId);
    // No upstream tokens: a local user's grant, or one whose tokens were revoked with it.
    if (access === 'none') return (await isAccessTokenLive(ctx, jti)) ? 'none' : 'ended';
    if (access === 'ended') {
      await ctx.store.grants.revoke(grantId, nowSeconds(ctx.clock));
      ctx.grantsEnded();
    }
    return access;
  };
}
