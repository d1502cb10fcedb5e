/**
 * `portcullis/client`: OAuth for MCP clients (docs/design.md `src/client/`). `createMcpOAuth` is an
 * `OAuthClientProvider` for the MCP SDK's `StreamableHTTPClientTransport` that keeps tokens per
 * user, per server and per authorization server, sealed in the Portcullis store; it refreshes once
 * at a time across processes and raises `ReauthRequiredError` when the user must connect again.
 */

/** Seals what the client stores (AES-256-GCM under a key id derived from each master secret; the first seals). */
export { createKeyring, type Keyring } from '../core/seal.js';
/** The client side of a Portcullis store (`openStore(url).mcpClient`), which `ClientContext.store` takes. */
export type { McpClientStore } from '../store/types.js';
export { detectAuth } from './detect-auth.js';
export { ClientAuthError, type ClientAuthErrorCode, ReauthRequiredError } from './errors.js';
export { listStoredServers } from './list-stored-servers.js';
export { createMcpOAuth } from './mcp-oauth.js';
export { removeServer, removeUser } from './removal.js';
export type {
  AuthDetection,
  AuthorizationStart,
  AuthorizationStartOptions,
  ClientClock,
  ClientContext,
  ClientMetadata,
  FetchFunction,
  McpOAuth,
  McpOAuthOptions,
  PreRegisteredClient,
  RemovalResult,
  StoredServer,
} from './types.js';
