import type { ServerConfig } from '../config.js';
import type { ServerPaths } from '../paths.js';

/**
 * Authorization server metadata (RFC 8414 §2), with what MCP clients look for: S256 only
 * (MCP Authorization "Authorization Code Protection"), RFC 9207 `iss` support, and Client ID
 * Metadata Documents.
 */
export function authorizationServerMetadata(config: ServerConfig, paths: ServerPaths): Record<string, unknown> {
  const origin = config.issuerUrl.origin;
  const url = (path: string) => `${origin}${path}`;
  return {
    issuer: config.issuer,
    authorization_endpoint: url(paths.authorize),
    token_endpoint: url(paths.token),
    ...(config.registration.enabled ? { registration_endpoint: url(paths.register) } : {}),
    revocation_endpoint: url(paths.revoke),
    introspection_endpoint: url(paths.introspect),
    jwks_uri: url(paths.jwks),
    scopes_supported: Object.keys(config.scopes),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: config.clientMetadataDocuments.enabled,
  };
}

/**
 * Protected resource metadata (RFC 9728 §2) for a resource this server protects, published at the
 * paths `ServerPaths.protectedResourceMetadata` gives it (§3.1, built in `core/well-known.ts`).
 */
export function protectedResourceMetadata(config: ServerConfig, resource: { uri: string; name: string }): Record<string, unknown> {
  return {
    resource: resource.uri,
    authorization_servers: [config.issuer],
    scopes_supported: Object.keys(config.scopes),
    bearer_methods_supported: ['header'],
    resource_name: resource.name,
  };
}
