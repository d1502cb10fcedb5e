import type { ServerContext } from './context.js';

/**
 * Whether an access token this server signed is still live: its record exists and neither it
 * (RFC 7009 revocation) nor its grant (a replayed code, a reused refresh token, consent withdrawn)
 * was revoked. The signature and expiry are the caller's to check first.
 */
export async function isAccessTokenLive(ctx: ServerContext, jti: string): Promise<boolean> {
  const record = await ctx.store.grants.findAccessToken(jti);
  if (record === undefined || record.revokedAt !== null) return false;
  const grant = await ctx.store.grants.find(record.grantId);
  return grant !== undefined && grant.revokedAt === null;
}
