import { isLoopbackHost } from './loopback.js';

/** Schemes that can never be a redirect target, even as a private-use scheme. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'about:', 'blob:', 'filesystem:']);

export type RedirectUriProblem =
  | 'not a URL'
  | 'has a fragment'
  | 'has userinfo'
  | 'forbidden scheme'
  | 'http only on loopback'
  | 'private-use scheme must be reverse-domain';

/**
 * Checks a redirect URI offered at registration. Returns null when acceptable, else the reason.
 * Allowed: `https`, `http` on a loopback host (RFC 8252 §7.3), and private-use schemes in
 * reverse-domain form (RFC 8252 §7.1). Fragments are forbidden (RFC 6749 §3.1.2), userinfo is
 * refused (RFC 9700 §4.1.1: it invites open-redirect tricks).
 */
export function checkRedirectUri(value: string): RedirectUriProblem | null {
  if (value.includes('#')) return 'has a fragment';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return 'forbidden scheme';
  if (url.username !== '' || url.password !== '') return 'has userinfo';
  if (url.protocol === 'https:') return url.hostname === '' ? 'not a URL' : null;
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) ? null : 'http only on loopback';
  // Private-use URI scheme: must be a reverse domain name containing a period (RFC 8252 §7.1).
  const scheme = url.protocol.slice(0, -1);
  if (!/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/i.test(scheme)) return 'private-use scheme must be reverse-domain';
  return null;
}

/**
 * Whether a redirect URI presented in a request matches one registered for the client.
 * Exact string comparison (OAuth 2.1 §2.3.1 and §4.1.3, RFC 9700 §4.1.3), with one exception:
 * for a loopback `http` redirect any port is accepted, because native apps bind an ephemeral
 * port at run time (RFC 8252 §7.3). Any port includes the scheme's default, so
 * `http://127.0.0.1:80/cb` matches a registered `http://127.0.0.1/cb`; everything but the port
 * is still compared as a string, so `http://127.0.0.1/cb?` (an empty query) does not.
 */
export function redirectUriMatches(presented: string, registered: string): boolean {
  if (presented === registered) return true;
  const a = splitLoopbackRedirect(presented);
  const b = splitLoopbackRedirect(registered);
  if (a === null || b === null) return false;
  return a.host === b.host && a.rest === b.rest;
}

/**
 * Splits `http://<loopback host>[:<port>]<path and query>` into its host and the rest, working on
 * the string itself: `new URL()` drops a default port (`:80`) and hides an empty query (`?`),
 * so comparing parsed parts would equate strings that differ. Returns null for anything else,
 * and for a string that is not already in the URL parser's canonical form (port aside), so that
 * case, dot-segments or percent-encoding tricks cannot make two different strings match.
 */
function splitLoopbackRedirect(value: string): { host: string; rest: string } | null {
  const parts = /^http:\/\/(\[[^\]]*\]|[^/?#:@[\]]+)(?::([1-9]\d{0,4}))?([/?][^#]*)?$/.exec(value);
  if (parts === null) return null;
  const [, host = '', port, rest = ''] = parts;
  if (port !== undefined && Number(port) > 65535) return null;
  const withoutPort = `http://${host}${rest}`;
  let url: URL;
  try {
    url = new URL(withoutPort);
  } catch {
    return null;
  }
  if (url.href !== withoutPort && url.href !== `${withoutPort}/`) return null;
  if (url.port !== '' || !isLoopbackHost(url.hostname)) return null;
  return { host, rest };
}
