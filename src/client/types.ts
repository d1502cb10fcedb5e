import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ApplicationType } from '../core/application-type.js';
import type { Keyring } from '../core/seal.js';
import type { McpClientStore } from '../store/types.js';

/** Time, injected so expiry is tested without sleeping. */
export interface ClientClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A `fetch` the client uses for every request (tests and proxies can pass their own). */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Credentials an authorization server issued out of band. Used first, before a Client ID Metadata
 * Document or DCR, and only with the authorization server named by `issuer`.
 * @see MCP Authorization (2026-07-28) "Client Registration" priority order
 */
export interface PreRegisteredClient {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod?: 'none' | 'client_secret_basic' | 'client_secret_post';
}

/**
 * The metadata the app registers with (RFC 7591 §2): the SDK's type, widened by OpenID Connect's
 * `application_type`, which MCP requires at registration. Leave it out to have it follow from the
 * redirect URI (loopback or private-use scheme: `native`; https: `web`).
 * @see MCP Authorization (2026-07-28) "Client Registration"; OpenID Connect Dynamic Client Registration 1.0 §2
 */
export type ClientMetadata = OAuthClientMetadata & { application_type?: ApplicationType };

/** What every client operation needs: where state is kept and how it is sealed. */
export interface ClientContext {
  /**
   * The client side of a Portcullis store, where registrations, sealed tokens, pending logins and
   * refresh leases are kept: `openStore(url).mcpClient`. The caller opens and closes the store.
   */
  store: McpClientStore;
  /** Seals tokens, verifiers and client secrets at rest (AES-256-GCM under a key id). */
  keyring: Keyring;
  /** Credentials issued out of band, per authorization server. */
  preRegistered?: readonly PreRegisteredClient[];
  fetch?: FetchFunction;
  clock?: ClientClock;
}

export interface McpOAuthOptions extends ClientContext {
  /** The app's user on whose behalf the tokens are held. */
  userId: string;
  /** The MCP server's URL (the `resource` the tokens are for). */
  serverUrl: string;
  /** Where the authorization server sends the browser back. */
  redirectUrl: string;
  /** Metadata sent with Dynamic Client Registration. `redirect_uris` must include `redirectUrl`. */
  clientMetadata: ClientMetadata;
  /** An https URL of this client's Client ID Metadata Document, used where the AS supports them. */
  clientMetadataUrl?: string;
  /** Scope to ask for when neither the server's challenge nor its metadata says. */
  scope?: string;
  /**
   * Called with every authorization URL (after its scheme was checked): open it in a browser or
   * popup, or redirect to it. Without it, the URL is only returned by `start()`.
   */
  onAuthorizationUrl?: (url: URL) => void | Promise<void>;
  /**
   * Refresh this many seconds before the access token expires. Default 60, and never more than
   * half the token's lifetime, so short-lived tokens are not refreshed on every call.
   */
  refreshSkewSeconds?: number;
  /** How long another process may hold the refresh lease before it is taken over. Default 30 s. */
  refreshLeaseSeconds?: number;
}

/** What a caller of `start()` may say about the scope. */
export interface AuthorizationStartOptions {
  /** Ask for this scope instead of the selected one (plus what is granted): a step-up. */
  scope?: string;
  /** Ask for this scope on top of the selected one (`portcullis login --scope`). */
  extraScope?: string;
}

/** The start of an authorization: where to send the browser. */
export interface AuthorizationStart {
  url: URL;
  /** The `state` sent (also inside `url`); stored only as its hash. */
  state: string;
  /** When the pending login expires (Unix seconds): 10 minutes after it started. */
  expiresAt: number;
}

/**
 * The provider for one (user, MCP server): the MCP SDK's `OAuthClientProvider`, usable as the
 * `authProvider` of `StreamableHTTPClientTransport`, plus the web-app flow and an authorized fetch.
 */
export interface McpOAuth extends OAuthClientProvider {
  readonly userId: string;
  readonly serverUrl: string;
  /**
   * Starts an authorization: discovery (done again, so a change of authorization server is
   * followed), registration, PKCE, a stored single-use `state`. The scope is the challenge's, else
   * the resource's `scopes_supported`, else the `scope` option; with `scope` here, that instead
   * (a step-up); `extraScope` is added on top; what is already granted is always kept.
   */
  start(options?: AuthorizationStartOptions): Promise<AuthorizationStart>;
  /** Finishes an authorization from the redirect's query: checks `state` and `iss`, redeems the code. */
  callback(query: URLSearchParams | string | Record<string, string>): Promise<void>;
  /**
   * `fetch` with the bearer token: refreshes before expiry and once on a 401, and throws
   * `ReauthRequiredError` when the grant has ended. Pass it as the transport's `fetch` too.
   */
  readonly fetch: FetchFunction;
  /** The current access token, refreshed first if it is about to expire; undefined when not logged in. */
  accessToken(): Promise<string | undefined>;
  /** Refreshes now (one refresh at a time per user and server, across processes). */
  refresh(): Promise<void>;
}

/** What `detectAuth` learned about a server without credentials. */
export interface AuthDetection {
  /** Whether the server asks for OAuth (401 with a Bearer challenge, or protected-resource metadata). */
  requiresOAuth: boolean;
  /** The status of the unauthenticated probe. */
  status: number;
  /** The `resource_metadata` address from `WWW-Authenticate`, if any. */
  resourceMetadataUrl?: string;
  /** The protected resource (RFC 9728 `resource`), checked against where the metadata was found (RFC 9728 §3.3). */
  resource?: string;
  authorizationServers: string[];
  /** The authorization server a client would use (the first listed), its metadata checked. */
  issuer?: string;
  scopesSupported?: string[];
  /** The `scope` of the challenge, if any. */
  challengeScope?: string;
}

/** A server a user is connected to, without secrets (`portcullis tokens`). */
export interface StoredServer {
  serverUrl: string;
  issuer: string;
  clientId: string;
  scope: string[];
  /** When the access token expires (Unix seconds), null if the server did not say. */
  accessExpiresAt: number | null;
  hasRefreshToken: boolean;
  updatedAt: number;
}

/** What a removal did. */
export interface RemovalResult {
  /** Servers whose rows were deleted. */
  removed: string[];
  /** Tokens the authorization servers confirmed revoked (RFC 7009). */
  revoked: number;
  /** Revocations that failed (the rows are deleted anyway). */
  revokeFailures: number;
}
