import { z } from 'zod';
import { isHttpsOrLoopbackHttp } from '../core/plain-http.js';
import { canonicalResource } from '../core/resource-uri.js';
import { hashSecret } from '../core/secrets.js';
import { identityFromClaims } from './access-token-claims.js';
import { DEFAULT_CLOCK_SKEW_SECONDS } from './jwt-verifier.js';
import { invalidToken, verificationUnavailable } from './token-errors.js';
import type { TokenVerifier, VerifiedIdentity } from './types.js';
import { createVerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';

export interface IntrospectionVerifierOptions {
  /** The `introspection_endpoint` from the authorization server's RFC 8414 metadata. */
  introspectionEndpoint: string | URL;
  /** This resource server's credentials at the authorization server (a pre-registered confidential client). */
  clientId: string;
  clientSecret: string;
  /** This resource (RFC 8707); the response's `aud` must be exactly it. */
  audience: string;
  /** When given, the response's `iss` must equal it. */
  issuer?: string;
  /** See VerifiedTokenCacheOptions: `maxSeconds` (default 30) bounds how long a revoked token still works. */
  cache?: VerifiedTokenCacheOptions;
  /** Tolerance on `exp` and `nbf`, in seconds. Default 30, as for JWTs. */
  clockSkewSeconds?: number;
  /** Introspection request timeout. Default 5000 ms. */
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof globalThis.fetch;
}

/** The members of an RFC 7662 §2.2 response this verifier reads; others are ignored. */
const introspectionResponseSchema = z.object({
  active: z.boolean(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  client_id: z.string().optional(),
  sub: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  iss: z.string().optional(),
  exp: z.number().optional(),
  nbf: z.number().optional(),
  jti: z.string().optional(),
});

/**
 * Verifies any access token, opaque or JWT, by asking the authorization server (RFC 7662 §2.1,
 * `client_secret_basic`), and caches an active answer by the token's SHA-256 like the JWT verifier
 * does, so revocation takes effect here within `cache.maxSeconds` (default 30 s).
 *
 * Beyond `active`, the answer must show an access token (`token_type` absent or `Bearer`: a live
 * refresh token is also "active", RFC 7662 §2.2), `aud` exactly this resource (RFC 8707; docs/design.md
 * invariant 6), `iss` when configured, `sub`, `client_id`, and `exp` in the future; `nbf` is checked
 * when present. RFC 7662 makes those members optional; without them there is no identity to give.
 * @see RFC 7662 §2; RFC 6750 §3.1
 */
export function createIntrospectionVerifier(options: IntrospectionVerifierOptions): TokenVerifier {
  const endpoint = new URL(options.introspectionEndpoint);
  if (!isHttpsOrLoopbackHttp(endpoint)) {
    throw new TypeError(`introspectionEndpoint ${endpoint.href} must be https (http only on loopback)`);
  }
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? globalThis.fetch;
  const audience = canonicalResource(options.audience);
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  // RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
  const basic = Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64');
  const cache = createVerifiedTokenCache({ ...options.cache, now });

  async function introspect(token: string): Promise<z.infer<typeof introspectionResponseSchema>> {
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw verificationUnavailable(`introspection ${endpoint.href}: ${error instanceof Error ? error.name : 'fetch failed'}`);
    }
    // A 401 here means our own credentials are wrong: an outage to fix, not the caller's fault.
    if (response.status !== 200) throw verificationUnavailable(`introspection ${endpoint.href} answered ${response.status}`);
    const parsed = introspectionResponseSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw verificationUnavailable(`introspection ${endpoint.href} answered a malformed response`);
    return parsed.data;
  }

  async function verifyUncached(token: string): Promise<{ identity: VerifiedIdentity; trustedUntilMs: number }> {
    if (token.length > 8192) throw invalidToken('token too long');
    const answer = await introspect(token);
    if (!answer.active) throw invalidToken('inactive');
    if (answer.token_type !== undefined && answer.token_type.toLowerCase() !== 'bearer') throw invalidToken(`token_type ${answer.token_type}`);
    if (options.issuer !== undefined && answer.iss !== options.issuer) throw invalidToken(`iss ${String(answer.iss)}`);
    const nowSeconds = now() / 1000;
    if (answer.exp === undefined || answer.exp + skew <= nowSeconds) throw invalidToken('expired or no exp');
    if (answer.nbf !== undefined && answer.nbf - skew > nowSeconds) throw invalidToken('not yet valid');
    // Without a `jti`, the token's hash stands in as its id (never the token itself).
    const identity = identityFromClaims(answer, { audience, issuer: answer.iss ?? options.issuer ?? '', tokenId: hashSecret(token) });
    return { identity, trustedUntilMs: (answer.exp + skew) * 1000 };
  }

  return {
    verify: (token) => cache.getOrVerify(token, () => verifyUncached(token)),
    verifyCached: (token) => cache.peek(token),
  };
}

/** application/x-www-form-urlencoded encoding of one value. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
