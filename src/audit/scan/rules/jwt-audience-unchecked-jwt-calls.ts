/**
 * The JWT calls jwt-audience-unchecked reads: jose's and jsonwebtoken's verifiers, which take the
 * expected audience as an option, and the decoders that check nothing. Used by the rule and by its
 * MCP SDK part.
 */

/** Calls that verify a JWT and take the expected audience as the `audience` option: the index of their options argument. */
export const VERIFIERS: ReadonlyMap<string, number> = new Map([
  ['jose.jwtVerify', 2],
  ['jsonwebtoken.verify', 2],
]);

/** Calls that read a JWT's claims without checking its signature, issuer or audience. */
export const DECODERS: ReadonlyMap<string, string> = new Map([
  ['jose.decodeJwt', 'decodeJwt()'],
  ['jsonwebtoken.decode', 'jwt.decode()'],
  ['jwt-decode', 'jwtDecode()'],
  ['jwt-decode.jwtDecode', 'jwtDecode()'],
  ['jwt-decode.default', 'jwtDecode()'],
]);
