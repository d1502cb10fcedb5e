/**
 * `portcullis/resource`: protect an MCP server with OAuth bearer tokens (docs/design.md
 * `src/resource/`): token verifiers, the scope policy, RFC 9728 metadata, the framework-agnostic
 * bearer guard and its adapters for Hono, Express and plain `node:http`; the gateway (proxy,
 * session binding, signed identity headers) and what an upstream uses to verify those headers.
 */
export type { ScopePolicy, TokenVerifier, VerifiedIdentity } from './types.js';
export { createJwtVerifier, DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_JWKS_COOLDOWN_SECONDS, type JwtAccessTokenAlgorithm, type JwtVerifierOptions } from './jwt-verifier.js';
export { createIntrospectionVerifier, type IntrospectionVerifierOptions } from './introspection-verifier.js';
export { DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_MAX_SECONDS, type VerifiedTokenCacheOptions } from './verified-token-cache.js';
export { EMPTY_SCOPE_POLICY, parseScopePolicy, policyReadsBody, scopePolicySchema, scopesForMessage, scopesOfPolicy, type ScopePolicySettings } from './scope-policy.js';
export {
  buildProtectedResourceMetadata,
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadataPaths,
  protectedResourceMetadataResponse,
  protectedResourceMetadataUrl,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from './protected-resource-metadata.js';
export { createBearerGuard, type BearerCheck, type BearerGuard, type BearerGuardOptions, type BearerPass, type BearerRefusal, type BearerRequest } from './bearer-guard.js';
export { bearerErrorResponse, missingTokenResponse, type ChallengeParameters } from './bearer-challenge.js';
export { toMcpAuthInfo, type McpAuthInfo } from './mcp-auth-info.js';
export { bearerAuth, protectedResourceMetadataMiddleware, type BearerAuthEnv } from './middleware/hono.js';
export { requireBearerToken, type ExpressLikeRequest, type ExpressLikeResponse } from './middleware/express.js';
export { createNodeHttpGuard, headersFromNode, protectNodeHttpListener, writeWebResponse, type GuardedIncomingMessage, type NodeGuardOptions, type ProtectedNodeHttpListener } from './middleware/node-http.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { gatewaySettingsSchema, type GatewaySettings } from './gateway-settings.js';
export { createUpstreamProxy, type UpstreamProxy, type UpstreamProxyOptions } from './proxy.js';
export { createSessionBinding, type SessionBinding } from './session-binding.js';
export {
  createGatewayIdentityVerifier,
  verifyGatewayIdentity,
  IDENTITY_JWT_TYPE,
  IDENTITY_HEADER,
  SUBJECT_HEADER,
  CLIENT_ID_HEADER,
  SCOPE_HEADER,
  type GatewayIdentity,
  type GatewayIdentityVerifierOptions,
  type IdentitySigner,
} from './identity-headers.js';
