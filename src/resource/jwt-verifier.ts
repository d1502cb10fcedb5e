import { createRemoteJWKSet, customFetch, errors, type FetchImplementation, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { isHttpsOrLoopbackHttp } from '../core/plain-http.js';
import { canonicalResource } from '../core/resource-uri.js';
import { identityFromClaims } from './access-token-claims.js';
import { invalidToken, verificationUnavailable } from './token-errors.js';
import type { TokenVerifier, VerifiedIdentity } from './types.js';
import { createVerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';

/** Asymmetric algorithms only: the resource holds no secret shared with the authorization server. */
export type JwtAccessTokenAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'PS256' | 'PS384' | 'PS512' | 'RS256' | 'RS384' | 'RS512' | 'Ed25519' | 'EdDSA';

export interface JwtVerifierOptions {
  /** The authorization server's issuer identifier; `iss` must equal it exactly (RFC 9068 §4). */
  issuer: string;
  /** This resource (the MCP endpoint's URL, RFC 8707); `aud` must be exactly it. */
  audience: string;
  /** The `jwks_uri` from the authorization server's RFC 8414 metadata: https, or http on loopback. */
  jwksUri: string | URL;
  /** Accepted signature algorithms. Default `['ES256']`, what Portcullis signs with. */
  algorithms?: readonly JwtAccessTokenAlgorithm[];
  /** Tolerance on `exp`, `nbf` and `iat`, in seconds. Default 30. */
  clockSkewSeconds?: number;
  /** See VerifiedTokenCacheOptions: `maxSeconds` (default 30) bounds how long a revoked token still works. */
  cache?: VerifiedTokenCacheOptions;
  /**
   * JWKS refresh: `cooldownSeconds` (default 5) is the least time between two fetches caused by an
   * unknown `kid`; `maxAgeSeconds` (default 600) the longest a fetched set is used; `timeoutMs`
   * (default 5000) the fetch timeout.
   */
  jwks?: { cooldownSeconds?: number; maxAgeSeconds?: number; timeoutMs?: number };
  /**
   * Revocation check, asked on every cache miss after the signature and claims passed; false
   * refuses the token. In-process with Portcullis: `(id) => server.isAccessTokenLive(id.tokenId)`.
   */
  isTokenLive?: (identity: VerifiedIdentity) => Promise<boolean>;
  /** Milliseconds since the epoch; injected in tests. */
  now?: () => number;
  /** The fetch used for the JWKS. */
  fetch?: typeof globalThis.fetch;
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 30;
export const DEFAULT_JWKS_COOLDOWN_SECONDS = 5;
/** Larger tokens are refused before any parsing (Portcullis tokens are well under 1 KiB). */
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies RFC 9068 JWT access tokens against the authorization server's JWKS, and caches each
 * verified token by its SHA-256 until it expires or `cache.maxSeconds` pass, whichever is first.
 *
 * Checks, in order (RFC 9068 §4): the signature with an allowed asymmetric algorithm (`alg: none`
 * and HMAC are never accepted; RFC 8725 §3.1) against a key of the JWKS, fetched lazily, cached by
 * jose and re-fetched on an unknown `kid` at most once per cooldown; `typ` is `at+jwt`
 * (`application/at+jwt` too; RFC 9068 §2.1, RFC 8725 §3.11: an ID token or other JWT of the same
 * issuer is not an access token); `iss` exactly; `exp` (required) and `nbf` with `clockSkewSeconds`
 * of tolerance; `aud` exactly this resource (RFC 8707, docs/design.md invariant 6); `sub`, `client_id`,
 * `iat`, `jti` present; then `isTokenLive`, if given.
 *
 * Skew: 30 s absorbs the drift of hosts that run NTP (normally well under a second) with a wide
 * margin, while adding only 5 % to Portcullis's default 600 s token lifetime.
 *
 * Revocation: a token revoked at the authorization server keeps working here for at most
 * `cache.maxSeconds` (default 30 s) when `isTokenLive` is given, and until it expires when not.
 *
 * @see RFC 9068 §4; RFC 6750 §3.1; MCP Authorization (2026-07-28), "Access Token Usage"
 */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const audience = canonicalResource(options.audience);
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!(skew >= 0 && skew <= 300)) throw new TypeError('clockSkewSeconds must be between 0 and 300');
  const algorithms = [...(options.algorithms ?? ['ES256'])];
  const keys = remoteKeySet(options);
  const cache = createVerifiedTokenCache({ ...options.cache, now });

  async function verifyUncached(token: string): Promise<{ identity: VerifiedIdentity; trustedUntilMs: number }> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw invalidToken('not a compact JWS');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms,
        typ: 'at+jwt',
        issuer: options.issuer,
        clockTolerance: skew,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'client_id'],
      }));
    } catch (error) {
      if (error instanceof KeySetUnavailable) throw verificationUnavailable(error.message);
      if (error instanceof errors.JOSEError) throw invalidToken(`${error.code}: ${error.message}`);
      throw invalidToken(`unexpected: ${error instanceof Error ? error.name : typeof error}`);
    }
    const identity = identityFromClaims(payload, { audience, issuer: options.issuer });
    if (options.isTokenLive !== undefined && !(await isLive(options.isTokenLive, identity))) throw invalidToken('revoked');
    return { identity, trustedUntilMs: (identity.expiresAt + skew) * 1000 };
  }

  return {
    verify: (token) => cache.getOrVerify(token, () => verifyUncached(token)),
    verifyCached: (token) => cache.peek(token),
  };
}

/** The revocation check; its failure (a store that is down) says nothing about the token: 503. */
async function isLive(isTokenLive: (identity: VerifiedIdentity) => Promise<boolean>, identity: VerifiedIdentity): Promise<boolean> {
  try {
    return await isTokenLive(identity);
  } catch (error) {
    throw verificationUnavailable(`revocation check failed: ${error instanceof Error ? error.name : typeof error}`);
  }
}

/** A JWKS failure that says nothing about the token: unreachable, timed out, not a JWK Set. */
class KeySetUnavailable extends Error {}

/**
 * jose's remote key set, with fetch failures told apart from "no key matches": the first means
 * the token could not be checked (503), the second that it was not signed by the issuer (401).
 */
function remoteKeySet(options: JwtVerifierOptions): JWTVerifyGetKey {
  const url = new URL(options.jwksUri);
  if (!isHttpsOrLoopbackHttp(url)) {
    throw new TypeError(`jwksUri ${url.href} must be https (http only on loopback)`);
  }
  const jwks = options.jwks ?? {};
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: (jwks.cooldownSeconds ?? DEFAULT_JWKS_COOLDOWN_SECONDS) * 1000,
    cacheMaxAge: (jwks.maxAgeSeconds ?? 600) * 1000,
    timeoutDuration: jwks.timeoutMs ?? 5000,
    ...(options.fetch !== undefined ? { [customFetch]: options.fetch as FetchImplementation } : {}),
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      const keyProblem =
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported ||
        error instanceof errors.JOSEAlgNotAllowed;
      if (keyProblem) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new KeySetUnavailable(`JWKS ${url.href}: ${reason}`);
    }
  };
}
