import type { ProbeResponse } from './guarded-fetch.js';

/**
 * What an authorization endpoint did with a request, as a browser would see it.
 * - `to-client`: a redirect to the request's redirect URI, with a `code` or an `error`;
 * - `elsewhere`: a redirect to somewhere else that is not the server's own pages;
 * - `interaction`: the server's own login or consent (a page, or a redirect to one on its origin):
 *   the request was accepted for now, and may still be checked after the login;
 * - `error-page`: a page or body that says no (4xx/5xx), never a redirect;
 * - `json-error`: an OAuth error body (`{"error": …}`).
 */
export type AuthorizationAnswer =
  | { readonly kind: 'to-client'; readonly location: URL; readonly parameters: URLSearchParams; readonly status: number }
  | { readonly kind: 'elsewhere'; readonly location: URL; readonly status: number }
  | { readonly kind: 'interaction'; readonly status: number; readonly page: 'login' | 'consent' | 'unknown' }
  | { readonly kind: 'error-page'; readonly status: number }
  | { readonly kind: 'json-error'; readonly status: number; readonly error: string };

/** The parameters of an authorization response: the query, or the fragment (implicit-style responses). */
export function responseParameters(location: URL): URLSearchParams {
  const query = new URLSearchParams(location.search);
  if (query.has('code') || query.has('error')) return query;
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  return fragment.has('code') || fragment.has('error') || fragment.has('access_token') ? fragment : query;
}

/** The redirect URI a Location goes to: the same scheme, host, port and path (the query holds the response). */
export function sameRedirectTarget(location: URL, redirectUri: string): boolean {
  if (!URL.canParse(redirectUri)) return false;
  const target = new URL(redirectUri);
  return location.protocol === target.protocol && location.host === target.host && location.pathname === target.pathname;
}

export function classifyAuthorizationAnswer(response: ProbeResponse, redirectUri: string, serverOrigins: readonly string[]): AuthorizationAnswer {
  const location = response.status >= 300 && response.status < 400 ? response.location() : undefined;
  if (location !== undefined) {
    if (sameRedirectTarget(location, redirectUri)) return { kind: 'to-client', location, parameters: responseParameters(location), status: response.status };
    if (serverOrigins.includes(location.origin)) return { kind: 'interaction', status: response.status, page: 'unknown' };
    return { kind: 'elsewhere', location, status: response.status };
  }
  const body = response.json();
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
    if (response.status >= 400) return { kind: 'json-error', status: response.status, error: (body as { error: string }).error };
  }
  if (response.status >= 400) return { kind: 'error-page', status: response.status };
  if (response.status >= 200 && response.status < 300) {
    const page = /type=["']?password/i.test(response.text)
      ? 'login'
      : /name=["']?decision|approve|allow|authorize/i.test(response.text)
        ? 'consent'
        : 'unknown';
    return { kind: 'interaction', status: response.status, page };
  }
  return { kind: 'error-page', status: response.status };
}

/**
 * Whether a negative probe was refused because of what it changed: the baseline was accepted (an
 * interaction or a code), and the probe got an error page, an OAuth error body, or an `error`
 * redirect to the registered redirect URI. `deferred`: the probe got the same login or consent as
 * the baseline, so the server may check it after the login (inconclusive without one).
 * @see RFC 6749 §4.1.2.1 (the legitimate forms of a refusal)
 */
export type Refusal = 'refused' | 'accepted' | 'deferred' | 'elsewhere';

export function refusalOf(answer: AuthorizationAnswer): Refusal {
  switch (answer.kind) {
    case 'error-page':
    case 'json-error':
      return 'refused';
    case 'to-client':
      return answer.parameters.has('error') ? 'refused' : 'accepted';
    case 'interaction':
      return 'deferred';
    case 'elsewhere':
      return 'elsewhere';
  }
}
