import type { Context } from 'hono';
import { z } from 'zod';
import { OAuthError } from '../../core/errors.js';
import { checkRedirectUri } from '../../core/redirect-uri.js';
import { isScopeSubset, parseScope } from '../../core/scopes.js';
import { hashSecret, randomSecret } from '../../core/secrets.js';
import type { ClientRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { jsonResponse } from '../http/error-response.js';
import { readBodyText } from '../http/form-parameters.js';
import { requestAddress } from '../http/request-address.js';

const httpsUrl = z.string().max(2000).refine((value) => {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an https URL');

/** RFC 7591 §2 client metadata we accept; unknown fields are ignored (§2). */
const registrationSchema = z.object({
  redirect_uris: z.array(z.string().max(2000)).min(1).max(20),
  token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token'])).min(1).default(['authorization_code']),
  response_types: z.array(z.literal('code')).min(1).default(['code']),
  client_name: z.string().min(1).max(200).optional(),
  client_uri: httpsUrl.optional(),
  logo_uri: httpsUrl.optional(),
  tos_uri: httpsUrl.optional(),
  policy_uri: httpsUrl.optional(),
  scope: z.string().max(1000).optional(),
  contacts: z.array(z.string().max(320)).max(10).optional(),
  software_id: z.string().max(200).optional(),
  software_version: z.string().max(100).optional(),
});

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.filter((p) => typeof p === 'string').join('.') || 'the body';
  return `${field} is invalid: ${issue.message.slice(0, 120)}.`;
}

/**
 * Dynamic Client Registration (RFC 7591 §3): public clients (`none`) and confidential ones, whose
 * secret is returned once and stored only as a hash (invariant 7). Redirect URIs follow
 * invariant 3; registrations are rate-limited per client address.
 */
export function registerEndpoint(ctx: ServerContext) {
  return async (c: Context): Promise<Response> => {
    const address = requestAddress(c, ctx.config.trustProxy);
    if (!ctx.limiters.registration.isAllowed(address)) {
      // RFC 7591 defines no rate-limit error; 429 (RFC 6585 §4) with Retry-After says when to retry.
      throw new OAuthError('temporarily_unavailable', 'Too many registrations from this address; try again later.', { status: 429 });
    }
    if (!/^application\/json(\s*;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new OAuthError('invalid_client_metadata', 'The registration request must be application/json.');
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBodyText(c.req.raw));
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      throw new OAuthError('invalid_client_metadata', 'The registration request is not valid JSON.');
    }
    const parsed = registrationSchema.safeParse(body);
    if (!parsed.success) {
      const onRedirect = parsed.error.issues[0]?.path[0] === 'redirect_uris';
      throw new OAuthError(onRedirect ? 'invalid_redirect_uri' : 'invalid_client_metadata', describeIssue(parsed.error));
    }
    const metadata = parsed.data;
    for (const uri of metadata.redirect_uris) {
      const problem = checkRedirectUri(uri);
      if (problem !== null) throw new OAuthError('invalid_redirect_uri', `A redirect URI is not allowed: ${problem}.`);
    }
    let scope: string[] | null = null;
    if (metadata.scope !== undefined) {
      scope = parseScope(metadata.scope);
      if (scope === null || !isScopeSubset(scope, Object.keys(ctx.config.scopes))) {
        throw new OAuthError('invalid_client_metadata', 'scope names a scope this server does not offer.');
      }
    }

    ctx.limiters.registration.hit(address);
    const now = nowSeconds(ctx.clock);
    const clientId = randomSecret(18);
    const secret = metadata.token_endpoint_auth_method === 'none' ? undefined : randomSecret(32);
    const response: Record<string, unknown> = {
      ...metadata,
      ...(scope !== null ? { scope: scope.join(' ') } : {}),
      client_id: clientId,
      client_id_issued_at: now,
    };
    const client: ClientRecord = {
      clientId,
      secretHash: secret === undefined ? null : hashSecret(secret),
      tokenEndpointAuthMethod: metadata.token_endpoint_auth_method,
      redirectUris: metadata.redirect_uris,
      grantTypes: metadata.grant_types,
      clientName: metadata.client_name ?? null,
      scope,
      metadata: response,
      source: 'dynamic',
      createdAt: now,
    };
    await ctx.store.clients.create(client);
    ctx.logger.info({ event: 'client_registered', client_id: clientId, auth_method: client.tokenEndpointAuthMethod, address }, 'client registered');
    // RFC 7591 §3.2.1: the secret is returned once, with client_secret_expires_at 0 (never).
    const secretFields = secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 };
    return jsonResponse({ ...response, ...secretFields }, 201);
  };
}
