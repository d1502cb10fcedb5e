/**
 * One credential for HTTP Basic at the token endpoint: application/x-www-form-urlencoded as
 * RFC 6749 §2.3.1 and Appendix B ask, space as `+`, everything but the unreserved characters
 * `A-Z a-z 0-9 - . _ ~` percent-encoded. Those four marks are left as they are (form encoding
 * never needs to escape them), so a client id such as a UUID reaches a server that decodes the
 * credential and one that compares it raw as the same string. `encodeURIComponent` also leaves
 * `! * ' ( )`, which are not unreserved: they are escaped here.
 * @see RFC 6749 §2.3.1, Appendix B; RFC 3986 §2.3 (unreserved characters)
 */
export function formEncodeCredential(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The `Authorization` header value of HTTP Basic client authentication: `Basic base64(id:secret)`, each form-encoded. @see RFC 6749 §2.3.1 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncodeCredential(clientId)}:${formEncodeCredential(clientSecret)}`, 'utf8').toString('base64')}`;
}
