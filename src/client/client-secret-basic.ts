import type * as oauth from 'oauth4webapi';

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

/**
 * `client_secret_basic` for oauth4webapi: the `Authorization: Basic` header of the form-encoded
 * id and secret (oauth4webapi's own also escapes `-`, `.`, `_` and `~`, which a server that
 * compares the raw client id refuses).
 * @see RFC 6749 §2.3.1; OAuth 2.1 §2.4.1
 */
export function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = `${formEncodeCredential(client.client_id)}:${formEncodeCredential(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`);
  };
}
