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
 * Exact string comparison (OAuth 2.1 §4.1.3, RFC 9700 §4.1.3), with one exception: for a
 * loopback `http` redirect the port may differ, because native apps bind an ephemeral port
 * at run time (RFC 8252 §7.3).
 */
export function redirectUriMatches(presented: string, registered: string): boolean {
  if (presented === registered) return true;
  const a = parseCanonical(presented);
  const b = parseCanonical(registered);
  if (a === null || b === null) return false;
  if (a.protocol !== 'http:' || b.protocol !== 'http:') return false;
  if (!isLoopbackHost(b.hostname) || a.hostname !== b.hostname) return false;
  if (a.username !== '' || a.password !== '' || a.hash !== '') return false;
  return a.pathname === b.pathname && a.search === b.search;
}

/**
 * Parses a URL only if the string is already in the parser's canonical form, so that case,
 * dot-segments or percent-encoding tricks cannot make two different strings compare equal.
 */
function parseCanonical(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.href === value || url.href === `${value}/` ? url : null;
  } catch {
    return null;
  }
}
