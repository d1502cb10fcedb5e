import type { Context } from 'hono';
import { OAuthError } from '../../core/errors.js';
import { checkRedirectUri } from '../../core/redirect-uri.js';
import { isScopeSubset, parseScope } from '../../core/scopes.js';
import { hashSecret, randomIdentifier, randomSecret } from '../../core/secrets.js';
import type { ClientRecord } from '../../store/types.js';
import { clientMetadataIssue, type RegistrationMetadata, registrationMetadataSchema } from '../clients/client-metadata-schema.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { jsonResponse } from '../http/error-response.js';
import { readBodyText } from '../http/form-parameters.js';
import { requestAddress } from '../http/request-address.js';

/**
 * The public description of metadata the schema refused: it names the field in our own words;
 * zod's message goes only to the private detail (STYLE.md).
 */
function describeRefusedField(field: string | undefined): string {
  return field === undefined
    ? 'The registration request must be a JSON object of client metadata.'
    : `${field} is missing or not valid client metadata (RFC 7591 §2).`;
}

/** The registration request's metadata, checked: redirect URIs (invariant 3) and scopes this server offers. */
async function readRegistrationMetadata(ctx: ServerContext, c: Context): Promise<{ metadata: RegistrationMetadata; scope: string[] | null }> {
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
  const parsed = registrationMetadataSchema.safeParse(body);
  if (!parsed.success) {
    const { field, message } = clientMetadataIssue(parsed.error);
    throw new OAuthError(field === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata', describeRefusedField(field), {
      detail: `${field ?? '(body)'}: ${message}`,
    });
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
  return { metadata, scope };
}

/** RFC 7591 defines no rate-limit error; 429 (RFC 6585 §4) with Retry-After says when to retry. */
function tooManyRegistrations(): OAuthError {
  return new OAuthError('temporarily_unavailable', 'Too many registrations from this address; try again later.', { status: 429 });
}

/**
 * Dynamic Client Registration (RFC 7591 §3): public clients (`none`) and confidential ones, whose
 * secret is returned once and stored only as a hash (invariant 7). Redirect URIs follow
 * invariant 3; registrations are rate-limited per client address.
 */
export function registerEndpoint(ctx: ServerContext) {
  return async (c: Context): Promise<Response> => {
    const address = requestAddress(c, ctx.config.trustProxy);
    // A cheap refusal first; the atomic count comes once the request is valid, so malformed
    // requests do not use up an address's registrations.
    if (!(await ctx.limiters.registration.check(address)).allowed) throw tooManyRegistrations();
    const { metadata, scope } = await readRegistrationMetadata(ctx, c);

    if (!(await ctx.limiters.registration.take(address)).allowed) throw tooManyRegistrations();
    const now = nowSeconds(ctx.clock);
    const clientId = randomIdentifier(18);
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
    await ctx.events.record({
      type: 'client_registered',
      clientId,
      address,
      outcome: 'registered',
      detail: { auth_method: client.tokenEndpointAuthMethod },
    });
    // RFC 7591 §3.2.1: the secret is returned once, with client_secret_expires_at 0 (never).
    const secretFields = secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 };
    return jsonResponse({ ...response, ...secretFields }, 201);
  };
}
