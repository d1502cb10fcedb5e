import { signEs256Jwt } from './jws-es256.js';
import type { SigningKeys } from './signing-keys.js';

/**
 * Signs a JWT of another type than access tokens with the current signing key, so that anyone
 * holding the JWKS can verify it (the gateway's identity assertion to its upstream). `iss` is
 * this server; the `typ` must not be `at+jwt`: explicit typing keeps such a JWT from ever passing
 * as an access token. Throws when it is.
 * @see RFC 8725 §3.11; RFC 9068 §2.1 (`at+jwt`)
 */
export async function signNonAccessTokenJwt(
  signingKeys: Pick<SigningKeys, 'current'>,
  issuer: string,
  typ: string,
  payload: Record<string, unknown>,
): Promise<string> {
  if (typ.toLowerCase() === 'at+jwt' || typ.toLowerCase() === 'application/at+jwt') throw new Error('signJwt does not mint access tokens');
  const { kid, privateKey } = await signingKeys.current();
  return signEs256Jwt({ alg: 'ES256', typ, kid }, { iss: issuer, ...payload }, privateKey);
}
