import { parseScope } from '../core/scopes.js';
import { invalidToken } from './token-errors.js';
import type { VerifiedIdentity } from './types.js';

/**
 * Whether `aud` names this resource and only it. A token whose `aud` lists several resources is
 * refused even when this one is among them: any of the others could replay it here, and MCP
 * requires tokens issued "specifically" for the server (MCP Authorization, "Token Audience Binding
 * and Validation"; docs/design.md invariant 6). The comparison is exact; `audience` is canonical.
 * @see RFC 8707 §2; RFC 9068 §4 (the `aud` check); RFC 7662 §2.2
 */
export function isAudienceExactly(aud: unknown, audience: string): boolean {
  if (typeof aud === 'string') return aud === audience;
  return Array.isArray(aud) && aud.length === 1 && aud[0] === audience;
}

/**
 * The identity in the claims of a verified JWT access token (RFC 9068 §2.2) or of an active
 * introspection response (RFC 7662 §2.2). The signature or activity, `iss`, and time checks are
 * the caller's; this checks the audience and that `sub`, `client_id`, `exp` and the token id are
 * present and well-formed. Throws `invalid_token` naming the offending claim.
 */
export function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  expected: { audience: string; issuer: string; tokenId?: string },
): VerifiedIdentity {
  const { sub, exp, aud } = claims;
  const clientId = claims['client_id'];
  const tokenId = claims['jti'] ?? expected.tokenId;
  if (!isAudienceExactly(aud, expected.audience)) throw invalidToken(`aud ${JSON.stringify(aud)} is not exactly ${expected.audience}`);
  if (typeof sub !== 'string' || sub === '') throw invalidToken('sub is missing');
  if (typeof clientId !== 'string' || clientId === '') throw invalidToken('client_id is missing');
  if (typeof tokenId !== 'string' || tokenId === '') throw invalidToken('jti is missing');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalidToken('exp is missing');
  const scopeClaim = claims['scope'];
  const scopes = scopeClaim === undefined ? [] : typeof scopeClaim === 'string' ? parseScope(scopeClaim) : null;
  if (scopes === null) throw invalidToken('scope is malformed');
  return Object.freeze({
    subject: sub,
    clientId,
    scopes: Object.freeze(scopes),
    issuer: expected.issuer,
    audience: expected.audience,
    tokenId,
    expiresAt: exp,
  });
}
