import { probeWithoutCredentials } from './challenge-probe.js';
import { discoverAuthorizationServer, discoverProtectedResource } from './discovery.js';
import { ClientAuthError } from './errors.js';
import type { AuthDetection, FetchFunction } from './types.js';

/**
 * Probes an MCP server without credentials and says whether it needs OAuth and which
 * authorization server it uses. The probe is a JSON-RPC `ping` over Streamable HTTP; a 401 with a
 * Bearer challenge (or protected-resource metadata) means OAuth. What the metadata says is
 * checked as for a login: a `resource` other than the server's, an issuer mismatch or missing
 * S256 throws `ClientAuthError`.
 * @see MCP Authorization (2026-07-28) "Authorization Server Discovery"; RFC 9728 §5.1; RFC 6750 §3
 */
export async function detectAuth(url: string, options: { fetch?: FetchFunction } = {}): Promise<AuthDetection> {
  const response = await probeWithoutCredentials(url, options.fetch);
  const challenge = response.challenge;
  const detection: AuthDetection = { requiresOAuth: false, status: response.status, authorizationServers: [] };
  if (challenge?.['resource_metadata'] !== undefined) detection.resourceMetadataUrl = challenge['resource_metadata'];
  if (challenge?.['scope'] !== undefined) detection.challengeScope = challenge['scope'];
  if (response.status !== 401 && response.status !== 403) return detection;

  let found: Awaited<ReturnType<typeof discoverProtectedResource>> | undefined;
  try {
    found = await discoverProtectedResource(url, {
      ...(detection.resourceMetadataUrl !== undefined ? { resourceMetadataUrl: detection.resourceMetadataUrl } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
  } catch (error) {
    if (!(error instanceof ClientAuthError && error.code === 'resource_metadata_not_found')) throw error;
  }
  detection.requiresOAuth = response.status === 401 && (challenge !== null || found !== undefined);
  if (found === undefined) return detection;
  detection.resource = found.metadata.resource;
  detection.authorizationServers = found.metadata.authorization_servers;
  if (found.metadata.scopes_supported !== undefined) detection.scopesSupported = found.metadata.scopes_supported;
  const issuer = found.metadata.authorization_servers[0]!;
  await discoverAuthorizationServer(issuer, options.fetch !== undefined ? { fetch: options.fetch } : {});
  detection.issuer = issuer;
  return detection;
}
