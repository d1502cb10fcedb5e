import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-helpers.js';
import type { TargetState } from '../target-state.js';

/** Flaws of the metadata documents (DISC-03..06, DISC-09..10, ASM-*). */
export type MetadataFlaw = never;

/** RFC 9728 §2: served at /.well-known/oauth-protected-resource/mcp and at the root. */
export function sendResourceMetadata(state: TargetState, response: ServerResponse): void {
  sendJson(response, 200, {
    resource: `${state.origin}/mcp`,
    authorization_servers: [state.origin],
    scopes_supported: ['mcp:tools'],
    bearer_methods_supported: ['header'],
  });
}

/** RFC 8414 §2: served at /.well-known/oauth-authorization-server. */
export function sendAuthorizationServerMetadata(state: TargetState, response: ServerResponse): void {
  const { origin } = state;
  sendJson(response, 200, {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    revocation_endpoint: `${origin}/revoke`,
    introspection_endpoint: `${origin}/introspect`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    scopes_supported: ['mcp:tools'],
    authorization_response_iss_parameter_supported: true,
  });
}
