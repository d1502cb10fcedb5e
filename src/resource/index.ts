/**
 * `portcullis/resource`: protect an MCP server with OAuth bearer tokens (docs/design.md
 * `src/resource/`): token verifiers, the scope policy, RFC 9728 metadata, the framework-agnostic
 * bearer guard and its adapters for Hono, Express and plain `node:http`; the gateway (proxy,
 * session binding, signed identity headers) and what an upstream uses to verify those headers.
 */

export { PROTECTED_RESOURCE_METADATA_WELL_KNOWN } from '../core/well-known.js';
export { bearerErrorResponse, type ChallengeParameters, missingTokenResponse } from './bearer-challenge.js';
export {
  type BearerCheck,
  type BearerGuard,
  type BearerGuardOptions,
  type BearerPass,
  type BearerRefusal,
  type BearerRequest,
  createBearerGuard,
} from './bearer-guard.js';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export type { GatewayMetrics } from './gateway-metrics.js';
export { type GatewaySettings, gatewaySettingsSchema } from './gateway-settings.js';
export {
  CLIENT_ID_HEADER,
  createGatewayIdentityVerifier,
  type GatewayIdentity,
  type GatewayIdentityVerifierOptions,
  IDENTITY_HEADER,
  IDENTITY_JWT_TYPE,
  type IdentitySigner,
  SCOPE_HEADER,
  SUBJECT_HEADER,
  verifyGatewayIdentity,
} from './identity-headers.js';
export { createIntrospectionVerifier, type IntrospectionVerifierOptions } from './introspection-verifier.js';
export {
  createJwtVerifier,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_JWKS_COOLDOWN_SECONDS,
  type JwtAccessTokenAlgorithm,
  type JwtVerifierOptions,
} from './jwt-verifier.js';
export { type McpAuthInfo, toMcpAuthInfo } from './mcp-auth-info.js';
export { type ExpressLikeRequest, type ExpressLikeResponse, requireBearerToken } from './middleware/express.js';
export { type BearerAuthEnv, bearerAuth, protectedResourceMetadataMiddleware } from './middleware/hono.js';
export {
  createNodeHttpGuard,
  type GuardedIncomingMessage,
  headersFromNode,
  type NodeGuardOptions,
  type ProtectedNodeHttpListener,
  protectNodeHttpListener,
  writeWebResponse,
} from './middleware/node-http.js';
export {
  buildProtectedResourceMetadata,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
  protectedResourceMetadataPaths,
  protectedResourceMetadataResponse,
  protectedResourceMetadataUrl,
} from './protected-resource-metadata.js';
export { createUpstreamProxy, type UpstreamProxy, type UpstreamProxyOptions } from './proxy.js';
export {
  EMPTY_SCOPE_POLICY,
  parseScopePolicy,
  policyReadsBody,
  type ScopePolicySettings,
  scopePolicySchema,
  scopesForMessage,
  scopesOfPolicy,
} from './scope-policy.js';
export { createSessionBinding, type SessionBinding } from './session-binding.js';
export type { ScopePolicy, TokenVerifier, VerifiedIdentity } from './types.js';
export { DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_MAX_SECONDS, type VerifiedTokenCacheOptions } from './verified-token-cache.js';
