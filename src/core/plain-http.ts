import { isLoopbackHost } from './loopback.js';

/** Plain `http:` to a host that means this machine (RFC 8252 §8.3): a local development server. */
export function isLoopbackHttpUrl(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

/**
 * The secure-URL rule for a URL that stands on its own (no issuer to compare with): https, or
 * plain http to this machine (a development server). Every "https, or http on loopback" check uses this.
 * @see OAuth 2.1 §1.5; RFC 8252 §8.3; MCP Authorization (2026-07-28) "Communication Security"
 */
export function isHttpsOrLoopbackHttp(url: URL): boolean {
  return url.protocol === 'https:' || isLoopbackHttpUrl(url);
}

/**
 * Whether `endpoint`, named by the metadata or the settings of the server whose issuer is `issuer`,
 * may be requested over plain http. Only when both are http on loopback: a development server
 * on this machine. An https issuer never has an http endpoint used, whatever its host, loopback
 * included: its metadata came over TLS, and an http endpoint in it would send codes, client
 * secrets and tokens in the clear (or to whatever listens on that local port).
 * @see OAuth 2.1 §1.5 (TLS for every endpoint); RFC 8414 §2 and OpenID Connect Discovery §3
 *   (endpoints are https URLs); MCP Authorization (2026-07-28) "Communication Security"
 */
export function mayUsePlainHttp(endpoint: URL, issuer: URL): boolean {
  return isLoopbackHttpUrl(endpoint) && isLoopbackHttpUrl(issuer);
}

/** Whether `endpoint` may be used at all for `issuer`: https, or plain http where `mayUsePlainHttp` allows it. */
export function isAllowedEndpoint(endpoint: URL, issuer: URL): boolean {
  return endpoint.protocol === 'https:' || mayUsePlainHttp(endpoint, issuer);
}
