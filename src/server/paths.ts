import { authorizationServerMetadataWellKnownUrl, protectedResourceMetadataWellKnownUrls } from '../core/well-known.js';

/** Where each endpoint lives, under the issuer's path (RFC 8414 §3 allows an issuer with a path). */
export interface ServerPaths {
  readonly base: string;
  readonly authorize: string;
  readonly login: string;
  readonly consent: string;
  readonly token: string;
  readonly register: string;
  readonly revoke: string;
  readonly introspect: string;
  readonly jwks: string;
  /** Where upstream provider `id` sends the browser back (federation). */
  federationCallback(providerId: string): string;
  /** RFC 8414 §3.1: the well-known suffix is inserted before the issuer's path. */
  readonly authorizationServerMetadata: string;
  /**
   * Which resource's RFC 9728 metadata each path answers with, for those of `resources` on the
   * issuer's origin (another origin's resource publishes its own).
   */
  protectedResourceMetadata<R extends { readonly uri: string }>(resources: readonly R[]): ReadonlyMap<string, R>;
}

export function serverPaths(issuerUrl: URL): ServerPaths {
  const base = issuerUrl.pathname.replace(/\/$/, '');
  return {
    base,
    authorize: `${base}/authorize`,
    login: `${base}/login`,
    consent: `${base}/consent`,
    token: `${base}/token`,
    register: `${base}/register`,
    revoke: `${base}/revoke`,
    introspect: `${base}/introspect`,
    jwks: `${base}/jwks.json`,
    federationCallback: (providerId) => `${base}/federation/${providerId}/callback`,
    authorizationServerMetadata: authorizationServerMetadataWellKnownUrl(issuerUrl).pathname,
    protectedResourceMetadata: (resources) => protectedResourceMetadataPaths(issuerUrl.origin, resources),
  };
}

/**
 * The metadata paths of each resource on `origin`, the ones the gateway serves for its resource:
 * the path-inserted one (a request's query is not part of its path) and the root one MCP clients
 * fall back to, the root only where it names one resource without doubt: the resource at the
 * root itself, or else the only resource on the origin.
 * @see RFC 9728 §3.1; MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"
 */
function protectedResourceMetadataPaths<R extends { readonly uri: string }>(origin: string, resources: readonly R[]): ReadonlyMap<string, R> {
  const onOrigin = resources.filter((resource) => new URL(resource.uri).origin === origin);
  const byPath = new Map<string, R>();
  for (const resource of onOrigin) {
    const urls = protectedResourceMetadataWellKnownUrls(new URL(resource.uri));
    // With two resources on the origin the root would have to pick one: a client must use the path-inserted URL.
    for (const url of onOrigin.length === 1 ? urls : urls.slice(0, 1)) {
      // The first resource keeps a path (resources that differ only in their query share it).
      if (!byPath.has(url.pathname)) byPath.set(url.pathname, resource);
    }
  }
  return byPath;
}
