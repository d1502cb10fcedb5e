import { z } from 'zod';
import { mayUsePlainHttp } from '../core/plain-http.js';
import { canonicalResource } from '../core/resource-uri.js';
import {
  authorizationServerDiscoveryUrls,
  PROTECTED_RESOURCE_METADATA_WELL_KNOWN,
  protectedResourceMetadataWellKnownUrl,
  protectedResourceMetadataWellKnownUrls,
} from '../core/well-known.js';
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

function canonicalResourceOrNull(value: string): string | null {
  try {
    return canonicalResource(value);
  } catch {
    return null;
  }
}

/** The RFC 8414 fields the client uses. */
// exactOptional: a field is absent or of its type, as oauth4webapi's AuthorizationServer expects (parsed JSON has no undefined).
const authorizationServerMetadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  registration_endpoint: z.string().exactOptional(),
  revocation_endpoint: z.string().exactOptional(),
  scopes_supported: z.array(z.string()).exactOptional(),
  code_challenge_methods_supported: z.array(z.string()).exactOptional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).exactOptional(),
  client_id_metadata_document_supported: z.boolean().exactOptional(),
  authorization_response_iss_parameter_supported: z.boolean().exactOptional(),
});
export type AuthorizationServerMetadata = z.infer<typeof authorizationServerMetadataSchema>;

export interface DiscoveredServer {
  /** The protected resource as its metadata names it, checked by its source (sent verbatim as the RFC 8707 `resource`). */
  resource: string;
  resourceMetadataUrl: string;
  resourceMetadata: ProtectedResourceMetadata;
  issuer: string;
  authorizationServer: AuthorizationServerMetadata;
}

/** One place protected-resource metadata may be, and the resources a document found there may name. */
export interface ProtectedResourceMetadataSource {
  url: URL;
  /** Canonical resource identifiers the document's `resource` may be (RFC 9728 §3.3). */
  acceptedResources: string[];
}

/**
 * Where a server's protected-resource metadata may be, in order, each with the `resource` its
 * document must name (RFC 9728 §3.3 "identical"): the `resource_metadata` of its
 * `WWW-Authenticate` challenge, whose document must name the URL the request went to, the server
 * URL; the well-known URL with the server's path inserted, built from the server URL, so again
 * the server URL; and the well-known URL at the root, built from the origin, so the origin (or the
 * server URL itself, which MCP lets a server publish there). A challenge URL that is one of the
 * two well-known URLs accepts what that URL accepts. Any other `resource` (another origin,
 * another path) is refused: tokens for it must never be sent here.
 * @see MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"; RFC 9728 §3.1, §3.3, §5.1, §7.3
 */
export function protectedResourceMetadataSources(serverUrl: string, fromChallenge?: string): ProtectedResourceMetadataSource[] {
  const server = new URL(serverUrl);
  const serverResource = canonicalResource(serverUrl);
  const rootAccepts = [...new Set([canonicalResource(server.origin), serverResource])];
  const wellKnown: ProtectedResourceMetadataSource[] = wellKnownCandidates(server).map((url) => ({
    url,
    acceptedResources: url.pathname === PROTECTED_RESOURCE_METADATA_WELL_KNOWN && url.search === '' ? rootAccepts : [serverResource],
  }));
  if (fromChallenge === undefined) return wellKnown;
  const challengeUrl = new URL(fromChallenge);
  const same = wellKnown.find((source) => source.url.href === challengeUrl.href);
  return [{ url: challengeUrl, acceptedResources: same?.acceptedResources ?? [serverResource] }, ...wellKnown];
}

/**
 * The well-known URLs for `server`: RFC 9728 §3.1's (the path and query kept as they are), then,
 * when it differs, the same without a trailing slash or query, where other MCP clients look and so
 * where some servers publish, then the root.
 */
function wellKnownCandidates(server: URL): URL[] {
  const [exact, ...root] = protectedResourceMetadataWellKnownUrls(server);
  const trimmed = protectedResourceMetadataWellKnownUrl(new URL(`${server.origin}${server.pathname.replace(/\/$/, '')}`));
  const candidates = [exact!, trimmed, ...root];
  return candidates.filter((url, i) => candidates.findIndex((other) => other.href === url.href) === i);
}

/** The addresses of {@link protectedResourceMetadataSources}, in order. */
export function protectedResourceMetadataUrls(serverUrl: string, fromChallenge?: string): URL[] {
  return protectedResourceMetadataSources(serverUrl, fromChallenge).map((source) => source.url);
}

/**
 * Where the metadata of the authorization server `issuer` may be, in the order tried.
 * @see core/well-known.ts `authorizationServerDiscoveryUrls`; MCP Authorization (2026-07-28) "Authorization Server Metadata Discovery"
 */
export function authorizationServerMetadataUrls(issuer: string): URL[] {
  return authorizationServerDiscoveryUrls(new URL(issuer));
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
 * and its `resource` must be one its address allows (see {@link protectedResourceMetadataSources}),
 * or the client refuses to go on (a document naming another resource is an attempt to get a token
 * for one server sent to another). The `resource` it names is the one tokens are asked for.
 * @see RFC 9728 §3.3 (the `resource` must be identical), §7.3
 */
export async function discoverProtectedResource(
  serverUrl: string,
  options: { resourceMetadataUrl?: string; fetch?: FetchFunction } = {},
): Promise<{ url: string; metadata: ProtectedResourceMetadata }> {
  for (const { url, acceptedResources } of protectedResourceMetadataSources(serverUrl, options.resourceMetadataUrl)) {
    const response = await fetchMetadata(url, options.fetch);
    if (response.status !== 200) {
      await response.body?.cancel();
      continue;
    }
    const parsed = protectedResourceMetadataSchema.safeParse(await readJson(response));
    if (!parsed.success) throw new ClientAuthError('resource_metadata_not_found', `protected-resource metadata at ${url.href} is malformed`);
    if (!acceptedResources.includes(canonicalResourceOrNull(parsed.data.resource) ?? '')) {
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
    refuseInsecureEndpoints(parsed.data);
    return parsed.data;
  }
  throw new ClientAuthError('authorization_server_metadata_invalid', `no authorization-server metadata for ${issuer}`);
}

/** The endpoints the client sends the browser, codes, secrets or tokens to. */
const USED_ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint'] as const;

/**
 * Refuses metadata naming a plain http endpoint the client may not use for its issuer: anywhere
 * for an https authorization server (loopback included: its metadata came over TLS, and an http
 * endpoint would carry codes and tokens in the clear, to whatever listens on that port), and
 * plain http off this machine for a loopback development server. The same rule as federation's.
 * @see OAuth 2.1 §1.5; RFC 8414 §2; MCP Authorization (2026-07-28) "Communication Security"
 */
function refuseInsecureEndpoints(metadata: AuthorizationServerMetadata): void {
  const issuer = new URL(metadata.issuer);
  for (const name of USED_ENDPOINTS) {
    const value = metadata[name];
    // Other schemes (javascript:, file:) are refused where each endpoint is used, with their own code.
    if (value === undefined || !URL.canParse(value) || new URL(value).protocol !== 'http:') continue;
    if (!mayUsePlainHttp(new URL(value), issuer)) {
      throw new ClientAuthError(
        'authorization_server_metadata_invalid',
        `${metadata.issuer} names ${name} ${JSON.stringify(value.slice(0, 200))}: ${issuer.protocol === 'https:' ? 'an https authorization server must use https endpoints' : 'plain http is allowed only on loopback'}`,
      );
    }
  }
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
