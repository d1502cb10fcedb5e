import * as oauth from 'oauth4webapi';
import { isHttpsOrLoopbackHttp, isLoopbackHttpUrl } from '../core/plain-http.js';
import { ClientAuthError } from './errors.js';
import type { FetchFunction } from './types.js';

/** How long one request to a server may take. */
export const REQUEST_TIMEOUT_MS = 10_000;

export function assertAllowedServerUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ClientAuthError('authorization_server_error', `${what} is not a URL`, { cause: error });
  }
  if (!isHttpsOrLoopbackHttp(url)) throw new ClientAuthError('authorization_server_error', `${what} must be https (or http on loopback): ${url.protocol}`);
  return url;
}

/**
 * Options for oauth4webapi calls to `target`: our fetch, a timeout, and plain http allowed only
 * when the target is on loopback (oauth4webapi refuses http otherwise). Discovery has already
 * refused http endpoints of an https authorization server (discovery.ts), so a loopback http
 * target here belongs to a loopback http issuer.
 */
export function oauthRequestOptions(
  target: string,
  fetchFunction: FetchFunction | undefined,
): { signal: AbortSignal; [oauth.allowInsecureRequests]?: boolean; [oauth.customFetch]?: FetchFunction } {
  const url = new URL(target);
  return {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...(isLoopbackHttpUrl(url) ? { [oauth.allowInsecureRequests]: true } : {}),
    ...(fetchFunction !== undefined ? { [oauth.customFetch]: fetchFunction } : {}),
  };
}

/** A GET for a metadata document, never following a redirect off to somewhere else. */
export async function fetchMetadata(url: URL, fetchFunction: FetchFunction | undefined): Promise<Response> {
  if (!isHttpsOrLoopbackHttp(url))
    throw new ClientAuthError('authorization_server_error', `metadata address must be https (or http on loopback): ${url.protocol}`);
  return (fetchFunction ?? fetch)(url.href, { headers: { Accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}
