/**
 * The sound starting point of the hostile-metadata tests: on a {@link HostileServer}, an MCP
 * server at `/mcp` whose path-inserted protected-resource metadata names the authorization server
 * `ORIGIN/tenant`, whose OpenID Connect metadata (path appended) is sound. Each test then breaks
 * one document.
 */
import type { HostileServer } from './hostile-metadata-server.js';

/** Sound authorization-server metadata for `ORIGIN/tenant`, with `overrides`. */
export function tenantMetadata(hostile: HostileServer, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: `${hostile.origin}/tenant`,
    authorization_endpoint: `${hostile.origin}/authorize`,
    token_endpoint: `${hostile.origin}/token`,
    registration_endpoint: `${hostile.origin}/register`,
    code_challenge_methods_supported: ['S256'],
    ...overrides,
  };
}

/** Forgets what the last test set and requested, and serves the sound documents again. */
export function serveSoundTenant(hostile: HostileServer): void {
  hostile.documents.clear();
  hostile.requested.length = 0;
  hostile.challenge = undefined;
  hostile.documents.set('/.well-known/oauth-protected-resource/mcp', {
    resource: `${hostile.origin}/mcp`,
    authorization_servers: [`${hostile.origin}/tenant`],
  });
  hostile.documents.set('/tenant/.well-known/openid-configuration', tenantMetadata(hostile));
}
