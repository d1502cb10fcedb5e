import { isLoopbackHost } from '../core/loopback.js';

/**
 * A loopback redirect on an IP literal, in canonical form, as a URL; else undefined. `localhost`
 * is left out: RFC 8252 §8.3 calls it NOT RECOMMENDED and §7.3 obliges an authorization server
 * to ignore the port only for the IP literals, so another port on `localhost` may be refused.
 * A string that is not already canonical is left out too, so that two different strings never
 * share one registration.
 */
function loopbackIpRedirect(redirectUri: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return undefined;
  }
  if (url.href !== redirectUri || url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '' || url.hash !== '') return undefined;
  if (url.hostname.toLowerCase() === 'localhost' || !isLoopbackHost(url.hostname)) return undefined;
  return url;
}

/**
 * The redirect URI a registration is stored and found under (and its sealed client secret bound
 * to): for a loopback IP literal over http, the URI without its port, since a native app listens
 * on a port the OS picks for each login and the authorization server must accept any port for it
 * (`http://127.0.0.1:53121/callback` → `http://127.0.0.1/callback`); any other URI as it is,
 * because it is matched exactly.
 * @see RFC 8252 §7.3; OAuth 2.1 "Loopback Interface Redirection"
 */
export function registrationRedirectKey(redirectUri: string): string {
  const url = loopbackIpRedirect(redirectUri);
  if (url === undefined || url.port === '') return redirectUri;
  url.port = '';
  return url.href;
}

/**
 * The `redirect_uris` sent at Dynamic Client Registration: the URI the app listens on now and, for
 * a loopback IP literal, also its form without a port. An authorization server that follows
 * RFC 8252 §7.3 then accepts the later logins on other ports, whichever of the two it compares
 * with (some ignore the port on both sides, some only when the registered URI has none).
 * @see RFC 7591 §2; RFC 8252 §7.3
 */
export function registrationRedirectUris(redirectUri: string): string[] {
  const key = registrationRedirectKey(redirectUri);
  return key === redirectUri ? [redirectUri] : [redirectUri, key];
}
