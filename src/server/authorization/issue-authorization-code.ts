import { hashSecret, randomIdentifier, randomSecret } from '../../core/secrets.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { authorizationResponseUrl } from './authorization-request.js';

/**
 * Issues a single-use code bound to the client, redirect URI, PKCE challenge, resource and scope
 * (invariant 2), stores only its hash, and returns the redirect back to the client.
 */
export async function issueAuthorizationCode(ctx: ServerContext, request: AuthorizationRequest, userId: string): Promise<string> {
  const code = randomSecret(32);
  const now = nowSeconds(ctx.clock);
  await ctx.store.codes.create({
    codeHash: hashSecret(code),
    grantId: request.grantId ?? randomIdentifier(16),
    clientId: request.clientId,
    userId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scope: request.scope,
    resource: request.resource,
    createdAt: now,
    expiresAt: now + ctx.config.codeTtlSeconds,
    consumedAt: null,
  });
  ctx.logger.info({ event: 'code_issued', client_id: request.clientId, user_id: userId }, 'authorization code issued');
  return authorizationResponseUrl(ctx, request.redirectUri, request.state, { code });
}
