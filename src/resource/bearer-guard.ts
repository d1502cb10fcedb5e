import { OAuthError, type OAuthErrorCode, toOAuthError } from '../core/errors.js';
import { canonicalResource } from '../core/resource-uri.js';
import { bearerErrorResponse, missingTokenResponse } from './bearer-challenge.js';
import { protectedResourceMetadataUrl } from './protected-resource-metadata.js';
import { EMPTY_SCOPE_POLICY, policyReadsBody, scopesForMessage } from './scope-policy.js';
import type { ScopePolicy, TokenVerifier, VerifiedIdentity } from './types.js';

export interface BearerGuardOptions {
  verifier: TokenVerifier;
  /** This resource: the MCP endpoint's URL, as in the protected resource metadata. */
  resource: string;
  /** Default: the path-aware well-known URL of `resource` (RFC 9728 §3.1). */
  resourceMetadataUrl?: string;
  /** Scopes per call. Default: none required. */
  scopePolicy?: ScopePolicy;
  /**
   * The `scope` of every 401 challenge (no token, or an invalid one), instead of the scopes the
   * refused call needs: e.g. every scope of the policy, so that a client asks for all of them at
   * sign-in and never has to step up (for clients whose step-up fails, docs/gateway.md). A 403
   * `insufficient_scope` still names the scopes the call needs.
   */
  challengeScopes?: readonly string[];
  /** Told of every refusal, with the private detail, for logs. */
  onRefusal?: (refusal: BearerRefusal) => void;
}

/** Why a request was refused; `detail` is for logs only and never holds the token. */
export interface BearerRefusal {
  readonly status: number;
  /** The OAuth error code; undefined for a request that carried no credentials. */
  readonly error: OAuthErrorCode | undefined;
  readonly detail: string | undefined;
}

/** What the guard needs to know of a request; adapters build it from their framework's request. */
export interface BearerRequest {
  /** The request URL (relative is fine), checked for an `access_token` query parameter. */
  url: string | URL;
  /** Only `get` is used, so adapters need not build a web `Headers` (costly on node:http). */
  headers: Pick<Headers, 'get'>;
  /** The parsed JSON body, if any: the JSON-RPC message(s) whose scopes are needed. */
  body?: unknown;
  /** The parsed `application/x-www-form-urlencoded` body, if the request had one. */
  form?: URLSearchParams;
  /** Scopes needed on top of what the policy says for `body`. */
  requiredScopes?: readonly string[];
}

/** A request the guard lets through: who is calling, and the token (for the MCP SDK's `AuthInfo`). */
export interface BearerPass {
  readonly identity: VerifiedIdentity;
  readonly token: string;
  readonly response?: undefined;
}

export type BearerCheck = BearerPass | { readonly response: Response; readonly refusal: BearerRefusal; readonly identity?: undefined };

export interface BearerGuard {
  readonly resource: string;
  readonly resourceMetadataUrl: string;
  /** Whether `check` needs the parsed JSON body to know the scopes a call needs. */
  readonly readsBody: boolean;
  /** Resolves with the identity, or with the ready response refusing the request; never rejects. */
  check(request: BearerRequest): Promise<BearerCheck>;
  /**
   * The synchronous fast path, for adapters: the pass `check` would give, when the token in the
   * `Authorization` header is one the verifier has already verified and still trusts (cached,
   * not expired) and it holds every scope the call needs; undefined in every other case (no
   * token, a token in the query or a form, a token not cached, too few scopes), which means
   * "call `check`", never "refused". No promise, no allocation beyond the result.
   */
  checkCached(request: BearerRequest): BearerPass | undefined;
}

/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`; the scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const AUTH_SCHEME = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?: |$)/;

/**
 * The framework-agnostic bearer check of the gateway and the middleware. In order:
 * - a token in the query (`access_token`, RFC 6750 §2.3) or a form body (§2.2) → 400
 *   `invalid_request`, even next to a valid header: OAuth 2.1 §5.2 allows the header only and a
 *   URL leaks into logs and histories (docs/design.md invariant 6);
 * - no `Authorization` header, or another scheme than Bearer → 401 with no error code (RFC 6750 §3.1);
 * - malformed Bearer credentials, or a token the verifier refuses (bad signature, foreign key,
 *   expired, wrong issuer, type or audience, revoked) → 401 `invalid_token`;
 * - a token without every scope the call needs → 403 `insufficient_scope` naming all of them
 *   (MCP Authorization, "Scope Challenge Handling").
 * Every challenge carries `resource_metadata` (RFC 9728 §5.1); every refusal is `no-store` and
 * exposes `WWW-Authenticate` to CORS.
 * @see RFC 6750 §2, §3; RFC 9728 §5; MCP Authorization (2026-07-28), "Access Token Usage", "Error Handling"
 */
export function createBearerGuard(options: BearerGuardOptions): BearerGuard {
  const { verifier } = options;
  const resource = canonicalResource(options.resource);
  const resourceMetadataUrl = options.resourceMetadataUrl ?? protectedResourceMetadataUrl(resource);
  const policy = options.scopePolicy ?? EMPTY_SCOPE_POLICY;

  const challengeScopes = options.challengeScopes === undefined ? undefined : [...new Set(options.challengeScopes)].sort();

  function refuse(callScopes: readonly string[], error: OAuthError | undefined): BearerCheck {
    const unauthenticated = error === undefined || error.code === 'invalid_token';
    const scopes = unauthenticated && challengeScopes !== undefined ? challengeScopes : callScopes;
    const params = { resourceMetadataUrl, scopes };
    const response = error === undefined ? missingTokenResponse(params) : bearerErrorResponse(error, params);
    const refusal: BearerRefusal = { status: response.status, error: error?.code, detail: error === undefined ? 'no bearer credentials' : error.detail };
    options.onRefusal?.(refusal);
    return { response, refusal };
  }

  return {
    resource,
    resourceMetadataUrl,
    readsBody: policyReadsBody(policy),
    async check(request) {
      const scopes = neededScopes(policy, request);
      if (hasAccessTokenInQuery(request.url)) {
        return refuse(
          scopes,
          new OAuthError('invalid_request', 'Send the access token in the Authorization header only.', { detail: 'access_token in the query' }),
        );
      }
      if (request.form?.has('access_token') === true) {
        return refuse(
          scopes,
          new OAuthError('invalid_request', 'Send the access token in the Authorization header only.', { detail: 'access_token in a form body' }),
        );
      }
      const authorization = request.headers.get('authorization');
      const scheme = authorization === null ? undefined : AUTH_SCHEME.exec(authorization)?.[1];
      if (authorization === null || (scheme !== undefined && scheme.toLowerCase() !== 'bearer')) return refuse(scopes, undefined);
      const token = BEARER_CREDENTIALS.exec(authorization)?.[1];
      if (token === undefined)
        return refuse(
          scopes,
          new OAuthError('invalid_token', 'The Authorization header is not valid Bearer credentials.', { detail: 'malformed Bearer credentials' }),
        );

      let identity: VerifiedIdentity;
      try {
        identity = verifier.verifyCached?.(token) ?? (await verifier.verify(token));
      } catch (error) {
        return refuse(scopes, toOAuthError(error));
      }
      // Defence in depth for verifiers not written here: the audience is this resource (RFC 8707).
      if (identity.audience !== resource) {
        return refuse(
          scopes,
          new OAuthError('invalid_token', 'The access token is invalid, expired or revoked.', { detail: `verifier returned audience ${identity.audience}` }),
        );
      }
      const held = new Set(identity.scopes);
      const missing = scopes.filter((s) => !held.has(s));
      if (missing.length > 0) {
        return refuse(
          scopes,
          new OAuthError('insufficient_scope', 'The access token lacks a scope this call needs.', { detail: `missing ${missing.join(' ')}` }),
        );
      }
      return { identity, token };
    },
    checkCached(request) {
      if (verifier.verifyCached === undefined || request.form?.has('access_token') === true) return undefined;
      const authorization = request.headers.get('authorization');
      const token = authorization === null ? undefined : bearerTokenOf(authorization);
      if (token === undefined || hasAccessTokenInQuery(request.url)) return undefined;
      const identity = verifier.verifyCached(token);
      if (identity === undefined || identity.audience !== resource) return undefined;
      const needed = request.body === undefined && request.requiredScopes === undefined ? policy.required : neededScopes(policy, request);
      for (const scope of needed) if (!identity.scopes.includes(scope)) return undefined;
      return { identity, token };
    },
  };
}

/**
 * The token of `Bearer <token>` (the scheme in any case, one space), unchecked: the fast path
 * only looks it up, and the verified-token cache holds nothing but b64tokens, so anything that
 * is not well-formed credentials misses and `check` refuses it. Saves the regex (~0.6 µs on a
 * ~520-character token).
 */
function bearerTokenOf(authorization: string): string | undefined {
  if (authorization.length < 8 || authorization.charCodeAt(6) !== 0x20) return undefined;
  if (!authorization.startsWith('Bearer') && authorization.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  return authorization.slice(7);
}

function neededScopes(policy: ScopePolicy, request: BearerRequest): string[] {
  const fromBody = scopesForMessage(policy, request.body);
  if (request.requiredScopes === undefined || request.requiredScopes.length === 0) return fromBody;
  return [...new Set([...fromBody, ...request.requiredScopes])].sort();
}

/** RFC 6750 §2.3: an `access_token` query parameter. The URL is parsed only when it has a query. */
function hasAccessTokenInQuery(url: string | URL): boolean {
  if (typeof url === 'string' && !url.includes('?')) return false;
  return (typeof url === 'string' ? new URL(url, 'http://localhost') : url).searchParams.has('access_token');
}
