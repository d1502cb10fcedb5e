import type { OAuthError } from '../core/errors.js';
import { buildChallenge } from '../core/www-authenticate.js';
import { BEARER_REFUSAL_CORS } from './cors-headers.js';

/**
 * Headers of every refusal: never cached (RFC 6750 §3: "no-store" on responses with a challenge;
 * RFC 6749 §5.1), readable cross-origin, with the challenge exposed to browser-based MCP clients,
 * which cannot discover the metadata without it.
 */
const REFUSAL_HEADERS = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  ...BEARER_REFUSAL_CORS,
} as const;

export interface ChallengeParameters {
  /** RFC 9728 §5.1: where the client finds the authorization servers. */
  resourceMetadataUrl: string;
  /** Every scope the refused call needs, already sorted; omitted from the challenge when empty. */
  scopes: readonly string[];
}

/**
 * 401 to a request without credentials (no `Authorization` header, or a scheme other than Bearer):
 * the challenge carries no error code (RFC 6750 §3.1: "If the request lacks any authentication
 * information ... the resource server SHOULD NOT include an error code"), the metadata URL and
 * the scopes needed (MCP Authorization, "Protected Resource Metadata Discovery Requirements",
 * "Scope Selection Strategy").
 * @see RFC 6750 §3; RFC 9728 §5.1
 */
export function missingTokenResponse(params: ChallengeParameters): Response {
  const challenge = buildChallenge('Bearer', {
    resource_metadata: params.resourceMetadataUrl,
    scope: params.scopes.length > 0 ? params.scopes.join(' ') : undefined,
  });
  const body = { error_description: 'This resource requires an OAuth access token in the Authorization header.' };
  return new Response(JSON.stringify(body), { status: 401, headers: { ...REFUSAL_HEADERS, 'WWW-Authenticate': challenge } });
}

/**
 * The response to a refused bearer request: `invalid_request` 400, `invalid_token` 401 and
 * `insufficient_scope` 403 (RFC 6750 §3.1) carry a Bearer challenge with the error, the metadata
 * URL and the scopes the call needs; for `insufficient_scope` that is every scope needed, held
 * ones included, so a client re-authorizes once (MCP Authorization, "Scope Challenge Handling").
 * Anything else (the token could not be checked, 503; an unexpected failure, 500) has no
 * challenge: the token was not found wanting.
 */
export function bearerErrorResponse(error: OAuthError, params: ChallengeParameters): Response {
  const headers: Record<string, string> = { ...REFUSAL_HEADERS };
  if (error.code === 'invalid_request' || error.code === 'invalid_token' || error.code === 'insufficient_scope') {
    headers['WWW-Authenticate'] = buildChallenge('Bearer', {
      error: error.code,
      error_description: error.description,
      scope: params.scopes.length > 0 ? params.scopes.join(' ') : undefined,
      resource_metadata: params.resourceMetadataUrl,
    });
  }
  if (error.status === 503) headers['Retry-After'] = '5';
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers });
}
