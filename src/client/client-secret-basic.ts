import type * as oauth from 'oauth4webapi';
import { basicAuthorization } from '../core/client-secret-basic.js';

/**
 * `client_secret_basic` for oauth4webapi: the `Authorization: Basic` header of the form-encoded
 * id and secret (oauth4webapi's own also escapes `-`, `.`, `_` and `~`, which a server that
 * compares the raw client id refuses).
 * @see RFC 6749 §2.3.1; OAuth 2.1 §2.4.1
 */
export function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    headers.set('authorization', basicAuthorization(client.client_id, clientSecret));
  };
}
