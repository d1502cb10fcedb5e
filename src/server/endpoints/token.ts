import type { Context } from 'hono';
import { OAuthError } from '../../core/errors.js';
import { authenticateClient } from '../clients/client-authentication.js';
import type { ServerContext } from '../context.js';
import { redeemAuthorizationCode } from '../grants/authorization-code.js';
import { rotateRefreshToken } from '../grants/refresh-token.js';
import { jsonResponse } from '../http/error-response.js';
import { readFormBody } from '../http/form-parameters.js';
import type { TokenResponse } from '../tokens/issue-tokens.js';

/**
 * The token endpoint (OAuth 2.1 §3.2): authenticates the client, then runs the grant. Throws
 * OAuthError. Transport-neutral: the Hono route below and the node:http route
 * (node-token-route.ts) both call it.
 */
export async function answerTokenRequest(ctx: ServerContext, authorization: string | null, params: Record<string, string>): Promise<TokenResponse> {
  // Checked by hand, one parameter at a time, not with a zod schema, on purpose: each refusal has
  // its own error code (RFC 6749 §5.2: invalid_request, unsupported_grant_type, unauthorized_client…).
  const grantType = params['grant_type'];
  if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required.');
  const client = await authenticateClient(ctx, authorization, params);
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw new OAuthError('unsupported_grant_type', 'Only authorization_code and refresh_token are supported.');
  }
  if (!client.grantTypes.includes(grantType)) throw new OAuthError('unauthorized_client', `This client may not use the ${grantType} grant.`);
  const tokens = grantType === 'authorization_code' ? await redeemAuthorizationCode(ctx, client, params) : await rotateRefreshToken(ctx, client, params);
  ctx.metrics?.oauth.tokenIssued(grantType);
  return tokens;
}

/** The token endpoint as a Hono route (in-process `app.request`, and any runtime but node:http). */
export function tokenEndpoint(ctx: ServerContext) {
  return async (c: Context): Promise<Response> => {
    const params = await readFormBody(c.req.raw);
    return jsonResponse(await answerTokenRequest(ctx, c.req.header('authorization') ?? null, params));
  };
}
