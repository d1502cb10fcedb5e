import { createLocalJWKSet, jwtVerify } from 'jose';
import { formatScope } from '../../core/scopes.js';
import { newAccessTokenId } from './access-token-id.js';
import { signEs256Jwt } from './jws-es256.js';
import type { SigningKeys } from './signing-keys.js';

export interface AccessTokenClaims {
  sub: string;
  clientId: string;
  scope: readonly string[];
  resource: string;
}

/**
 * Mints a JWT access token per RFC 9068: header `typ: at+jwt` (§2.1), `iss`, `exp`, `aud` (the
 * RFC 8707 resource), `sub`, `client_id`, `iat`, `jti` (§2.2) and `scope` (§2.2.3).
 */
export async function mintAccessToken(
  keys: SigningKeys,
  issuer: string,
  claims: AccessTokenClaims,
  timing: { jti: string; issuedAt: number; expiresAt: number },
): Promise<string> {
  const { kid, privateKey } = await keys.current();
  const { jti, issuedAt, expiresAt } = timing;
  return signEs256Jwt(
    { alg: 'ES256', typ: 'at+jwt', kid },
    { iss: issuer, sub: claims.sub, aud: claims.resource, iat: issuedAt, exp: expiresAt, jti, client_id: claims.clientId, scope: formatScope(claims.scope) },
    privateKey,
  );
}

/** A fresh token id in the grant, and the token's lifetime, fixed before it is signed. */
export function newAccessTokenTiming(grantId: string, issuedAt: number, ttlSeconds: number): { jti: string; issuedAt: number; expiresAt: number } {
  return { jti: newAccessTokenId(grantId), issuedAt, expiresAt: issuedAt + ttlSeconds };
}

export interface VerifiedAccessToken {
  jti: string;
  sub: string;
  clientId: string;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
}

/**
 * Verifies an access token this server issued (signature, `typ`, `iss`, expiry), for
 * introspection and revocation. Returns null for anything that is not one.
 * @see RFC 9068 §4
 */
export async function verifyOwnAccessToken(keys: SigningKeys, issuer: string, token: string, nowSeconds: number): Promise<VerifiedAccessToken | null> {
  if (token.split('.').length !== 3) return null;
  try {
    const jwks = createLocalJWKSet(await keys.jwks());
    const { payload } = await jwtVerify(token, jwks, {
      issuer,
      typ: 'at+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(nowSeconds * 1000),
    });
    const { jti, sub, aud, iat, exp } = payload;
    const clientId = payload['client_id'];
    const scope = payload['scope'];
    if (typeof jti !== 'string' || typeof sub !== 'string' || typeof aud !== 'string' || typeof clientId !== 'string' || typeof scope !== 'string') return null;
    return { jti, sub, clientId, scope, aud, iat: iat ?? 0, exp: exp ?? 0 };
  } catch {
    return null;
  }
}
