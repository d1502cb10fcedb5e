/**
 * Whether a `Content-Type` names an `application/x-www-form-urlencoded` body: that media type in
 * any case, with or without parameters (`; charset=utf-8`). Another type that merely starts with
 * the same letters (`application/x-www-form-urlencoded-x`) is not one. The authorization server
 * accepts only such bodies at its form endpoints; the bearer guard reads such a body for an
 * `access_token` sent there (which it refuses).
 * @see RFC 6749 §3.2; RFC 6750 §2.2; RFC 9110 §8.3.1 (media type and parameters)
 */
export function isFormUrlEncoded(contentType: string | null | undefined): boolean {
  return contentType !== null && contentType !== undefined && FORM_URLENCODED.test(contentType);
}

const FORM_URLENCODED = /^application\/x-www-form-urlencoded(\s*;|$)/i;
