/** The RFC 9728 §3 well-known URI suffix of protected resource metadata. */
export const PROTECTED_RESOURCE_METADATA_WELL_KNOWN = '/.well-known/oauth-protected-resource';
/** The RFC 8414 §3 well-known URI suffix of authorization server metadata. */
export const AUTHORIZATION_SERVER_METADATA_WELL_KNOWN = '/.well-known/oauth-authorization-server';
/** The OpenID Connect Discovery 1.0 §4 well-known URI suffix. */
const OPENID_CONFIGURATION_WELL_KNOWN = '/.well-known/openid-configuration';

/**
 * Where the protected resource metadata of `resource` is: the well-known suffix inserted between
 * the host and the path, the query kept (a path of just `/` is dropped), e.g. `https://h/mcp` →
 * `https://h/.well-known/oauth-protected-resource/mcp`. The `resource_metadata` of a challenge.
 * @see RFC 9728 §3.1, §5.1
 */
export function protectedResourceMetadataWellKnownUrl(resource: URL): URL {
  const path = resource.pathname === '/' ? '' : resource.pathname;
  // Concatenated after the origin, never resolved against it: a path starting `//` must not become a host.
  return new URL(`${resource.origin}${PROTECTED_RESOURCE_METADATA_WELL_KNOWN}${path}${resource.search}`);
}

/**
 * Where the protected resource metadata of `resource` may be, in the order a client tries them:
 * {@link protectedResourceMetadataWellKnownUrl}, then the root
 * `https://h/.well-known/oauth-protected-resource`, which MCP clients try when the first is
 * absent. One URL when the two are the same (a resource at the root without a query).
 * @see RFC 9728 §3.1; MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"
 */
export function protectedResourceMetadataWellKnownUrls(resource: URL): URL[] {
  const pathInserted = protectedResourceMetadataWellKnownUrl(resource);
  const root = new URL(PROTECTED_RESOURCE_METADATA_WELL_KNOWN, resource.origin);
  return pathInserted.href === root.href ? [root] : [pathInserted, root];
}

/** An issuer's path without its terminating `/` (RFC 8414 §3.1); `''` for an issuer at the root. */
function issuerPath(issuer: URL): string {
  return issuer.pathname.replace(/\/$/, '');
}

/**
 * Where the RFC 8414 metadata of `issuer` is: the well-known suffix inserted between the host and
 * the issuer's path, e.g. `https://h/tenant1` → `https://h/.well-known/oauth-authorization-server/tenant1`.
 * An issuer has no query (RFC 8414 §2).
 * @see RFC 8414 §3.1
 */
export function authorizationServerMetadataWellKnownUrl(issuer: URL): URL {
  return new URL(`${issuer.origin}${AUTHORIZATION_SERVER_METADATA_WELL_KNOWN}${issuerPath(issuer)}`);
}

/**
 * Every address an authorization server's metadata may be at, in the order MCP clients try them:
 * for an issuer with a path, RFC 8414 metadata with the path inserted, OpenID Connect Discovery
 * with the path inserted, then OpenID Connect Discovery with the path appended; for one without,
 * RFC 8414 metadata then OpenID Connect Discovery.
 * @see MCP Authorization (2026-07-28) "Authorization Server Metadata Discovery"; RFC 8414 §3.1, §5; OpenID Connect Discovery 1.0 §4
 */
export function authorizationServerDiscoveryUrls(issuer: URL): URL[] {
  const path = issuerPath(issuer);
  const oauthMetadata = authorizationServerMetadataWellKnownUrl(issuer);
  if (path === '') return [oauthMetadata, new URL(OPENID_CONFIGURATION_WELL_KNOWN, issuer.origin)];
  // Concatenated after the origin, never resolved against it: a path starting `//` must not become a host.
  return [
    oauthMetadata,
    new URL(`${issuer.origin}${OPENID_CONFIGURATION_WELL_KNOWN}${path}`),
    new URL(`${issuer.origin}${path}${OPENID_CONFIGURATION_WELL_KNOWN}`),
  ];
}
