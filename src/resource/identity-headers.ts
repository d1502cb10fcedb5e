import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { VerifiedIdentity } from './types.js';

/**
 * What the upstream learns about the caller. The plain headers are for convenience; the upstream
 * can trust them only if nothing but the gateway can reach it. `X-Portcullis-Identity` is the
 * proof: an ES256 JWT signed with the authorization server's current key, verifiable against the
 * published JWKS, for this upstream only (`aud`) and for 60 seconds. Its `typ` and `aud` differ
 * from an access token's, so it can never be replayed as one (docs/design.md invariant 9 stays true:
 * the client's token never reaches the upstream).
 * @see RFC 8725 §3.11 (explicit typing), §3.9 (audience); RFC 7519 §4.1
 */

export const IDENTITY_JWT_TYPE = 'portcullis-identity+jwt';
export const SUBJECT_HEADER = 'x-portcullis-subject';
export const CLIENT_ID_HEADER = 'x-portcullis-client-id';
export const SCOPE_HEADER = 'x-portcullis-scope';
export const IDENTITY_HEADER = 'x-portcullis-identity';

/** The assertion's lifetime, and how close to its expiry a cached one is replaced. */
const LIFETIME_SECONDS = 60;
const RENEW_BEFORE_SECONDS = 10;
const MAX_CACHED = 10_000;

/**
 * Signs a JWT of type `typ` with the authorization server's current key, adding `iss` (in `serve`:
 * `AuthorizationServer.signJwt`). It must refuse `at+jwt`.
 */
export type IdentitySigner = (typ: string, payload: Record<string, unknown>) => Promise<string>;

export type IdentityHeaders = Readonly<Record<string, string>>;

export interface IdentityHeaderOptions {
  readonly sign: IdentitySigner;
  /** The upstream MCP endpoint: the assertion's `aud`. */
  readonly upstreamUrl: string;
  /** Unix seconds; injected in tests. */
  readonly now?: () => number;
}

/**
 * A header value as sent: printable ASCII passes unchanged except `%`; anything else (and `%`) is
 * percent-encoded, so `decodeURIComponent` always restores it and no value can split a header.
 */
export function encodeHeaderValue(value: string): string {
  return value.replace(/[^\x20-\x24\x26-\x7e]+/gu, (run) =>
    [...Buffer.from(run, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** Signs a fresh identity assertion for `identity`, valid 60 s and never past the access token. */
export async function signIdentityAssertion(
  identity: VerifiedIdentity,
  sign: IdentitySigner,
  upstreamUrl: string,
  nowSeconds: number,
): Promise<{ jws: string; expiresAt: number }> {
  const expiresAt = Math.min(nowSeconds + LIFETIME_SECONDS, identity.expiresAt);
  const jws = await sign(IDENTITY_JWT_TYPE, {
    iss: identity.issuer,
    aud: upstreamUrl,
    sub: identity.subject,
    client_id: identity.clientId,
    scope: identity.scopes.join(' '),
    iat: nowSeconds,
    exp: expiresAt,
    jti: randomBytes(16).toString('base64url'),
  });
  return { jws, expiresAt };
}

/**
 * The headers the gateway adds for a verified caller. Signing costs tens of microseconds, so the
 * headers are cached by the access token's `jti` until 10 s before the assertion expires.
 */
export function createIdentityHeaders(options: IdentityHeaderOptions): (identity: VerifiedIdentity) => Promise<IdentityHeaders> {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const cache = new Map<string, { headers: IdentityHeaders; renewAt: number }>();

  return async (identity) => {
    const nowSeconds = now();
    const cached = cache.get(identity.tokenId);
    if (cached !== undefined && nowSeconds < cached.renewAt) return cached.headers;
    const { jws, expiresAt } = await signIdentityAssertion(identity, options.sign, options.upstreamUrl, nowSeconds);
    const headers: IdentityHeaders = Object.freeze({
      [SUBJECT_HEADER]: encodeHeaderValue(identity.subject),
      [CLIENT_ID_HEADER]: encodeHeaderValue(identity.clientId),
      [SCOPE_HEADER]: encodeHeaderValue(identity.scopes.join(' ')),
      [IDENTITY_HEADER]: jws,
    });
    if (cache.size >= MAX_CACHED) {
      for (const [tokenId, entry] of cache) if (entry.renewAt <= nowSeconds) cache.delete(tokenId);
      if (cache.size >= MAX_CACHED) cache.clear();
    }
    cache.set(identity.tokenId, { headers, renewAt: expiresAt - RENEW_BEFORE_SECONDS });
    return headers;
  };
}

/** The caller, as asserted by the gateway. */
export interface GatewayIdentity {
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The assertion's own `jti`, for an upstream that wants to refuse replays. */
  readonly assertionId: string;
}

export interface GatewayIdentityVerifierOptions {
  /** The authorization server's `jwks_uri`, or the key set itself. */
  readonly jwksUrl?: string | URL;
  readonly jwks?: JSONWebKeySet;
  /** The authorization server's issuer identifier. */
  readonly issuer: string;
  /** This upstream's MCP endpoint, exactly as the gateway is configured with it (`--upstream`). */
  readonly upstreamUrl: string;
  /** Allowed clock skew, seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** For tests. */
  readonly currentDate?: Date;
}

/**
 * For upstream authors: checks an `X-Portcullis-Identity` header (signature against the
 * authorization server's JWKS, `typ`, `iss`, `aud`, `exp`) and returns who is calling. Rejects
 * with a jose error for anything else.
 * @see RFC 7519 §7.2
 */
export function createGatewayIdentityVerifier(options: GatewayIdentityVerifierOptions): (headerValue: string) => Promise<GatewayIdentity> {
  let keys: JWTVerifyGetKey;
  if (options.jwks !== undefined) keys = createLocalJWKSet(options.jwks);
  else if (options.jwksUrl !== undefined) keys = createRemoteJWKSet(new URL(options.jwksUrl));
  else throw new TypeError('createGatewayIdentityVerifier needs jwksUrl or jwks');

  return async (headerValue) => {
    const { payload } = await jwtVerify(headerValue, keys, {
      typ: IDENTITY_JWT_TYPE,
      algorithms: ['ES256'],
      issuer: options.issuer,
      audience: options.upstreamUrl,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      clockTolerance: options.clockToleranceSeconds ?? 5,
      ...(options.currentDate ? { currentDate: options.currentDate } : {}),
    });
    const clientId = payload['client_id'];
    const scope = payload['scope'];
    if (typeof clientId !== 'string' || typeof scope !== 'string') throw new TypeError('the identity assertion lacks client_id or scope');
    // `requiredClaims` made jose check that these are present (and `iat`, `exp` numbers), not their types.
    const { sub, iat, exp, jti } = payload;
    if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number' || typeof jti !== 'string')
      throw new TypeError('the identity assertion has a malformed sub, iat, exp or jti');
    return {
      subject: sub,
      clientId,
      scopes: scope.split(' ').filter((s) => s !== ''),
      issuedAt: iat,
      expiresAt: exp,
      assertionId: jti,
    };
  };
}

const verifiers = new Map<string, (headerValue: string) => Promise<GatewayIdentity>>();

/**
 * One-call form of `createGatewayIdentityVerifier` for a `jwksUrl`; the verifier (and its cached
 * JWKS) is kept per URL, issuer and upstream.
 */
export function verifyGatewayIdentity(headerValue: string, options: GatewayIdentityVerifierOptions): Promise<GatewayIdentity> {
  if (options.jwks !== undefined || options.currentDate !== undefined) return createGatewayIdentityVerifier(options)(headerValue);
  const key = JSON.stringify([String(options.jwksUrl), options.issuer, options.upstreamUrl, options.clockToleranceSeconds]);
  let verifier = verifiers.get(key);
  if (verifier === undefined) {
    verifier = createGatewayIdentityVerifier(options);
    verifiers.set(key, verifier);
  }
  return verifier(headerValue);
}
