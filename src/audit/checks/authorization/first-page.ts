import { responseParameters, sameRedirectTarget } from '../../authorization-answer.js';
import { type AuthorizationRequest, authorizationUrl } from '../../authorization-request.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { CookieJar } from '../../login/cookie-jar.js';
import type { Probe } from '../../probe.js';
import { InconclusiveError } from '../../verdict.js';

/**
 * Where a browser sent with an authorization request first stops, without a login:
 * - `page`: a page of the server's own (its login or consent, usually), after its own redirects;
 * - `to-client`: back at the client's redirect URI (a server that approves at once);
 * - `elsewhere`: a redirect to another origin (an upstream identity provider, for a federating server);
 * - `refused`: an error status.
 */
export type Landing =
  | { readonly kind: 'page'; readonly url: URL; readonly response: ProbeResponse }
  | { readonly kind: 'to-client'; readonly location: URL; readonly parameters: URLSearchParams }
  | { readonly kind: 'elsewhere'; readonly location: URL }
  | { readonly kind: 'refused'; readonly status: number };

/**
 * Sends `request` as a browser would and follows the server's redirects on its own origins (the
 * authorization endpoint's and the issuer's) until a page, the client, or another origin. Nothing
 * is submitted. A code that comes back is remembered, so reports never show it.
 */
export async function followToFirstPage(probe: Probe, request: AuthorizationRequest, maxHops = 5): Promise<Landing> {
  const { issuer } = await probe.fact('authorizationServer');
  const own = new Set([new URL(request.endpoint).origin, new URL(issuer).origin]);
  const jar = new CookieJar();
  let url = authorizationUrl(request);
  for (let hop = 0; hop <= maxHops; hop++) {
    const response = await probe.fetch(url, {
      headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', ...jar.headersFor(url) },
    });
    jar.keep(url, response);
    const location = response.status >= 300 && response.status < 400 ? response.location() : undefined;
    if (location !== undefined) {
      if (sameRedirectTarget(location, request.redirectUri)) {
        const parameters = responseParameters(location);
        probe.remember(parameters.get('code') ?? undefined);
        return { kind: 'to-client', location, parameters };
      }
      if (!own.has(location.origin)) return { kind: 'elsewhere', location };
      url = location;
      continue;
    }
    if (response.status >= 200 && response.status < 300) return { kind: 'page', url, response };
    return { kind: 'refused', status: response.status };
  }
  throw new InconclusiveError(`the server redirected more than ${maxHops} times without showing a page`);
}

/** The page a user meets, or the reason there is none to read. */
export function pageOrReason(landing: Landing): Extract<Landing, { kind: 'page' }> | string {
  switch (landing.kind) {
    case 'page':
      return landing;
    case 'to-client':
      if (landing.parameters.has('code')) return 'the server approves at once: there is no login or consent page to read';
      throw new InconclusiveError(`the valid request came back to the client with ${landing.parameters.get('error') ?? 'neither a code nor an error'}`);
    case 'elsewhere':
      return `the server sends the user to ${landing.location.origin} before any page of its own (see AZ-13)`;
    case 'refused':
      throw new InconclusiveError(`following the valid request ended with ${landing.status}, where the baseline was accepted`);
  }
}
