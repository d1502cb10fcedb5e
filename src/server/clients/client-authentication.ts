import { constantTimeEqual } from '../../core/constant-time.js';
import { OAuthError } from '../../core/errors.js';
import { hashSecret } from '../../core/secrets.js';
import type { ClientRecord } from '../../store/types.js';
import type { ServerContext } from '../context.js';

interface PresentedCredentials {
  method: ClientRecord['tokenEndpointAuthMethod'];
  clientId: string;
  secret: string | undefined;
}

const invalidClient = (detail: string) => new OAuthError('invalid_client', 'Client authentication failed.', { detail });

/**
 * Reads the credentials a client presented: HTTP Basic with form-urlencoded id and secret
 * (RFC 6749 §2.3.1), `client_secret` in the body, or only `client_id` for a public client.
 * Using more than one method is refused (RFC 6749 §2.3).
 */
function presentedCredentials(authorization: string | null, params: Record<string, string>): PresentedCredentials {
  if (authorization !== null && /^basic /i.test(authorization)) {
    if (params['client_secret'] !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method, not several.');
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw invalidClient('basic credentials without a colon');
    let clientId: string;
    let secret: string;
    try {
      clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      throw invalidClient('basic credentials are not form-urlencoded');
    }
    if (params['client_id'] !== undefined && params['client_id'] !== clientId) throw invalidClient('client_id differs from basic credentials');
    return { method: 'client_secret_basic', clientId, secret };
  }
  if (authorization !== null) throw invalidClient('unsupported authorization scheme');
  const clientId = params['client_id'];
  if (clientId === undefined || clientId === '') throw invalidClient('no client_id');
  const secret = params['client_secret'];
  return secret === undefined ? { method: 'none', clientId, secret: undefined } : { method: 'client_secret_post', clientId, secret };
}

/**
 * Authenticates the client at the token, revocation and introspection endpoints. The method must
 * be the one the client registered (RFC 7591 §2 `token_endpoint_auth_method`); secrets are
 * compared as SHA-256 hashes in constant time.
 */
export async function authenticateClient(ctx: ServerContext, authorization: string | null, params: Record<string, string>): Promise<ClientRecord> {
  const presented = presentedCredentials(authorization, params);
  const client = await ctx.resolveAuthenticatingClient(presented.clientId);
  if (client === undefined) throw invalidClient('unknown client');
  if (client.tokenEndpointAuthMethod !== presented.method) throw invalidClient(`client registered ${client.tokenEndpointAuthMethod}, used ${presented.method}`);
  if (presented.method === 'none') return client;
  if (client.secretHash === null || presented.secret === undefined) throw invalidClient('client has no secret');
  if (!constantTimeEqual(hashSecret(presented.secret), client.secretHash)) throw invalidClient('wrong client secret');
  return client;
}
