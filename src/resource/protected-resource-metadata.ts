import { canonicalResource } from '../core/resource-uri.js';
import { protectedResourceMetadataWellKnownUrl, protectedResourceMetadataWellKnownUrls } from '../core/well-known.js';
import { METADATA_CORS } from './cors-headers.js';

export interface ProtectedResourceMetadataOptions {
  /** The MCP endpoint's URL, exactly as clients connect to it (e.g. `https://mcp.example.com/mcp`). */
  resource: string;
  /** Issuer identifiers of the authorization servers whose tokens this resource accepts. */
  authorizationServers: readonly string[];
  /** Scopes a client may request for this resource (MCP clients request them when challenged without `scope`). */
  scopesSupported?: readonly string[];
  /** Human-readable name (RFC 9728 §2). */
  resourceName?: string;
}

/** The RFC 9728 §2 document. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly ['header'];
  readonly resource_name?: string;
}

/**
 * The protected resource metadata document: `resource` is the MCP endpoint's URL (canonical form,
 * as the authorization server compares it; RFC 9728 §3.3 requires clients to check it equals the
 * URL they derived the metadata URL from), and tokens are accepted in the header only (OAuth 2.1
 * §5.2; docs/design.md invariant 6).
 * @see RFC 9728 §2; MCP Authorization (2026-07-28), "Authorization Server Discovery"
 */
export function buildProtectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  if (options.authorizationServers.length === 0) throw new TypeError('authorizationServers must name at least one issuer (MCP Authorization requires it)');
  return Object.freeze({
    resource: canonicalResource(options.resource),
    authorization_servers: Object.freeze([...options.authorizationServers]),
    ...(options.scopesSupported !== undefined ? { scopes_supported: Object.freeze([...options.scopesSupported]) } : {}),
    bearer_methods_supported: Object.freeze(['header'] as const),
    ...(options.resourceName !== undefined ? { resource_name: options.resourceName } : {}),
  });
}

/**
 * Where the metadata of `resource` lives: the well-known suffix inserted between the host and the
 * path (RFC 9728 §3.1), e.g. `https://h/mcp` → `https://h/.well-known/oauth-protected-resource/mcp`.
 * This is the `resource_metadata` of every challenge (RFC 9728 §5.1).
 */
export function protectedResourceMetadataUrl(resource: string): string {
  return protectedResourceMetadataWellKnownUrl(new URL(resource)).href;
}

/**
 * The request paths to serve the metadata at: the path-aware one (RFC 9728 §3.1) and the root
 * `/.well-known/oauth-protected-resource`, which MCP clients try when the first is absent
 * (MCP Authorization, "Protected Resource Metadata Discovery Requirements").
 */
export function protectedResourceMetadataPaths(resource: string): string[] {
  // Requests are matched on the path alone: a resource at the root with a query has one path.
  return [...new Set(protectedResourceMetadataWellKnownUrls(new URL(resource)).map((url) => url.pathname))];
}

const pathsByMetadata = new WeakMap<ProtectedResourceMetadata, string[]>();

/**
 * Answers `request` if it asks for the metadata (GET or HEAD at one of its paths; CORS preflight
 * too, since browser-based MCP clients send `MCP-Protocol-Version`), else undefined, so it
 * composes in front of any handler. Public and cacheable for five minutes.
 */
export function protectedResourceMetadataResponse(request: Request, metadata: ProtectedResourceMetadata): Response | undefined {
  let paths = pathsByMetadata.get(metadata);
  if (paths === undefined) {
    paths = protectedResourceMetadataPaths(metadata.resource);
    pathsByMetadata.set(metadata, paths);
  }
  const { pathname } = new URL(request.url);
  if (!paths.includes(pathname)) return undefined;
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: METADATA_CORS });
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response(null, { status: 405, headers: { ...METADATA_CORS, Allow: 'GET, HEAD, OPTIONS' } });
  }
  const body = request.method === 'HEAD' ? null : JSON.stringify(metadata);
  return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', ...METADATA_CORS } });
}
