import type { ServerContext } from '../context.js';
import { grantIdOfAccessToken } from './access-token-id.js';

/**
 * Whether an access token this server signed is still live: neither it (RFC 7009 revocation) nor
 * its grant (a replayed code, a reused refresh token, consent withdrawn) was revoked, and the
 * grant exists. The grant is the one its `jti` names (access-token-id.ts), or, for a token issued
 * before jtis named their grant, the one its record names; a `jti` that does neither is not live.
 * The signature and expiry are the caller's to check first.
 */
export async function isAccessTokenLive(ctx: ServerContext, jti: string): Promise<boolean> {
  const record = await ctx.store.grants.findAccessToken(jti);
  if (record !== undefined && record.revokedAt !== null) return false;
  const grantId = record?.grantId ?? grantIdOfAccessToken(jti);
  if (grantId === undefined) return false;
  const grant = await ctx.store.grants.find(grantId);
  return grant !== undefined && grant.revokedAt === null;
}
