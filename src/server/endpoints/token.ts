import type { Context } from 'hono';
import { OAuthError } from '../../core/errors.js';
import { authenticateClient } from '../client-authentication.js';
import type { ServerContext } from '../context.js';
import { jsonResponse } from '../error-response.js';
import { readFormBody } from '../form-parameters.js';
import { redeemAuthorizationCode } from '../grants/authorization-code.js';
import { rotateRefreshToken } from '../grants/refresh-token.js';

/** The token endpoint (OAuth 2.1 §3.2): authenticates the client, then runs the grant. */
export function tokenEndpoint(ctx: ServerContext) {
  return async (c: Context): Promise<Response> => {
    const params = await readFormBody(c.req.raw);
    const grantType = params['grant_type'];
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required.');
    const client = await authenticateClient(ctx, c.req.raw, params);
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      throw new OAuthError('unsupported_grant_type', 'Only authorization_code and refresh_token are supported.');
    }
    if (!client.grantTypes.includes(grantType)) throw new OAuthError('unauthorized_client', `This client may not use the ${grantType} grant.`);
    const tokens = grantType === 'authorization_code' ? await redeemAuthorizationCode(ctx, client, params) : await rotateRefreshToken(ctx, client, params);
    return jsonResponse(tokens);
  };
}
