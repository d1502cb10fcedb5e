import { z } from 'zod';
import { canonicalResource } from '../core/resource-uri.js';
import { ClientAuthError } from './errors.js';
import { fetchMetadata } from './http-policy.js';
import type { FetchFunction } from './types.js';

/** The RFC 9728 fields the client uses. */
const protectedResourceMetadataSchema = z.looseObject({
  resource: z.string(),
  authorization_servers: z.array(z.string()).min(1),
  scopes_supported: z.array(z.string()).optional(),
});
export type ProtectedResourceMetadata = z.infer<typeof protectedResourceMetadataSchema>;

/** The RFC 8414 fields the client uses. */
const authorizationServerMetadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  registration_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  scopes_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  client_id_metadata_document_supported: z.boolean().optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
});
export type AuthorizationServerMetadata = z.infer<typeof authorizationServerMetadataSchema>;

export interface DiscoveredServer {
  /** The protected resource as its metadata names it (sent verbatim as `resource`). */
  resource: string;
  resourceMetadataUrl: string;
  resourceMetadata: ProtectedResourceMetadata;
  issuer: string;
  authorizationServer: AuthorizationServerMetadata;
}

/**
 * Where a server's protected-resource metadata may be, in order: the `resource_metadata` of its
 * `WWW-Authenticate` challenge, then the well-known URL with the server's path inserted, then the
 * one at the root.
 * @see MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"; RFC 9728 §3.1, §5.1
 */
export function protectedResourceMetadataUrls(serverUrl: string, fromChallenge?: string): URL[] {
  const server = new URL(serverUrl);
  const path = server.pathname.replace(/\/$/, '');
  const urls: URL[] = [];
  if (fromChallenge !== undefined) urls.push(new URL(fromChallenge));
  if (path !== '') urls.push(new URL(`/.well-known/oauth-protected-resource${path}`, server.origin));
  urls.push(new URL('/.well-known/oauth-protected-resource', server.origin));
  return urls;
}

/**
 * Where an authorization server's metadata may be, in the spec's order: for an issuer with a
 * path, OAuth 2.0 metadata with the path inserted, OpenID Connect Discovery with the path
 * inserted, then OpenID Connect Discovery with the path appended; for one without, OAuth 2.0
 * metadata then OpenID Connect Discovery.
 * @see MCP Authorization (2026-07-28) "Authorization Server Metadata Discovery"; RFC 8414 §3.1; OpenID Connect Discovery 1.0 §4
 */
export function authorizationServerMetadataUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  if (path === '') return [new URL('/.well-known/oauth-authorization-server', url.origin), new URL('/.well-known/openid-configuration', url.origin)];
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, url.origin),
    new URL(`/.well-known/openid-configuration${path}`, url.origin),
    new URL(`${path}/.well-known/openid-configuration`, url.origin),
  ];
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * Finds and checks the protected-resource metadata: the first address that answers 200 is used,
 * and its `resource` must be the server's URL, or the client refuses to go on (a document naming
 * another resource is an attempt to get a token for one server sent to another).
 * @see RFC 9728 §3.3 (the `resource` must be identical), §7.3
 */
export async function discoverProtectedResource(
  serverUrl: string,
  options: { resourceMetadataUrl?: string; fetch?: FetchFunction } = {},
): Promise<{ url: string; metadata: ProtectedResourceMetadata }> {
  for (const url of protectedResourceMetadataUrls(serverUrl, options.resourceMetadataUrl)) {
    const response = await fetchMetadata(url, options.fetch);
    if (response.status !== 200) {
      await response.body?.cancel();
      continue;
    }
    const parsed = protectedResourceMetadataSchema.safeParse(await readJson(response));
    if (!parsed.success) throw new ClientAuthError('resource_metadata_not_found', `protected-resource metadata at ${url.href} is malformed`);
    if (canonicalResource(parsed.data.resource) !== canonicalResource(serverUrl)) {
      throw new ClientAuthError('resource_mismatch', `protected-resource metadata at ${url.href} is for ${parsed.data.resource}, not ${serverUrl}`);
    }
    return { url: url.href, metadata: parsed.data };
  }
  throw new ClientAuthError('resource_metadata_not_found', `no protected-resource metadata for ${serverUrl}`);
}

/**
 * Finds and checks an authorization server's metadata: the first address that answers 200 is
 * used; its `issuer` must be exactly the issuer it was looked up for, and it must list S256 in
 * `code_challenge_methods_supported`, or the client refuses to go on.
 * @see RFC 8414 §3.3; MCP Authorization (2026-07-28) "Authorization Code Protection" (S256 required)
 */
export async function discoverAuthorizationServer(issuer: string, options: { fetch?: FetchFunction } = {}): Promise<AuthorizationServerMetadata> {
  for (const url of authorizationServerMetadataUrls(issuer)) {
    const response = await fetchMetadata(url, options.fetch);
    if (response.status !== 200) {
      await response.body?.cancel();
      continue;
    }
    const parsed = authorizationServerMetadataSchema.safeParse(await readJson(response));
    if (!parsed.success) throw new ClientAuthError('authorization_server_metadata_invalid', `authorization-server metadata at ${url.href} is malformed`);
    // Simple string comparison, no normalisation (RFC 8414 §3.3 "identical").
    if (parsed.data.issuer !== issuer) {
      throw new ClientAuthError('authorization_server_metadata_invalid', `metadata at ${url.href} names issuer ${parsed.data.issuer}, not ${issuer}`);
    }
    if (!(parsed.data.code_challenge_methods_supported ?? []).includes('S256')) {
      throw new ClientAuthError('pkce_not_supported', `${issuer} does not list S256 in code_challenge_methods_supported`);
    }
    return parsed.data;
  }
  throw new ClientAuthError('authorization_server_metadata_invalid', `no authorization-server metadata for ${issuer}`);
}

/**
 * Discovery for one MCP server: its protected-resource metadata, then the first authorization
 * server it lists (RFC 9728 §7.6 leaves the choice to the client), that server's metadata checked.
 */
export async function discoverServer(serverUrl: string, options: { resourceMetadataUrl?: string; fetch?: FetchFunction } = {}): Promise<DiscoveredServer> {
  const prm = await discoverProtectedResource(serverUrl, options);
  const issuer = prm.metadata.authorization_servers[0]!;
  const authorizationServer = await discoverAuthorizationServer(issuer, options);
  return { resource: prm.metadata.resource, resourceMetadataUrl: prm.url, resourceMetadata: prm.metadata, issuer, authorizationServer };
}
