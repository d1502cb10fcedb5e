/**
 * Table shapes for Kysely. Times are Unix seconds. What each column holds, and which are hashed
 * or sealed, is documented in docs/storage-schema.md.
 */
export interface ClientsTable {
  client_id: string;
  /** SHA-256 of the client secret; null for public clients. */
  secret_hash: string | null;
  token_endpoint_auth_method: string;
  /** JSON array of strings. */
  redirect_uris: string;
  /** JSON array of strings. */
  grant_types: string;
  client_name: string | null;
  /** Space-delimited scopes the client may ask for; null means any scope the server supports. */
  scope: string | null;
  /** The whole RFC 7591 metadata document as JSON, for the registration response. */
  metadata: string;
  /** `dynamic` (RFC 7591) or `static` (pre-registered with the CLI). */
  source: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  /** scrypt hash in PHC-like form; see src/server/browser/password-hash.ts. */
  password_hash: string;
  created_at: number;
}

export interface AuthorizationRequestsTable {
  /** SHA-256 of the request handle carried by the login and consent pages. */
  id_hash: string;
  client_id: string;
  /** JSON of the validated authorization request. */
  params: string;
  created_at: number;
  expires_at: number;
}

export interface AuthorizationCodesTable {
  code_hash: string;
  /** The grant (token family) this code will start; fixed at issue so a replay can revoke it. */
  grant_id: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  code_challenge: string;
  scope: string;
  resource: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface GrantsTable {
  id: string;
  client_id: string;
  user_id: string;
  scope: string;
  resource: string;
  created_at: number;
  revoked_at: number | null;
  /**
   * The generation of the grant's current refresh token (src/server/tokens/refresh-token-value.ts: a
   * token names its grant and generation under a MAC, so no token is stored); null when the
   * client may not refresh. Each rotation adds one; an older generation presented is a reuse.
   */
  refresh_generation: number | null;
  /** When the current refresh token expires; each rotation sets it anew. */
  refresh_expires_at: number | null;
  /** When the grant last issued tokens (its code redeemed, a refresh); null until then (migration 0006). */
  last_used_at: number | null;
}

/**
 * Revoked access tokens (RFC 7009). An issued token has no row: its `jti` names its grant
 * (src/server/tokens/access-token-id.ts). Rows with `revoked_at` null predate that (migration 0002).
 */
export interface AccessTokensTable {
  jti: string;
  grant_id: string;
  client_id: string;
  expires_at: number;
  revoked_at: number | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ConsentsTable {
  user_id: string;
  client_id: string;
  /** Space-delimited scopes the user approved for this client. */
  scope: string;
  created_at: number;
  updated_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** Public JWK as JSON. */
  public_jwk: string;
  /** Private JWK as JSON, sealed with AES-256-GCM (src/core/seal.ts). */
  private_jwk_sealed: string;
  created_at: number;
  /** When it stopped signing; kept in the JWKS until tokens it signed have expired. */
  retired_at: number | null;
}

/** An attempt to sign in at an upstream provider, until its callback (single use, 10 minutes). */
export interface UpstreamLoginsTable {
  /** SHA-256 of the `state` sent upstream. */
  state_hash: string;
  provider_id: string;
  /** Sealed JSON: the pending authorization request, PKCE verifier, nonce and browser binding. */
  sealed: string;
  created_at: number;
  expires_at: number;
}

/** An upstream account (provider, subject) and the local user it signs in as. */
export interface FederatedIdentitiesTable {
  provider_id: string;
  subject: string;
  user_id: string;
  email: string | null;
  display_name: string | null;
  created_at: number;
  last_login_at: number;
}

/** The upstream tokens obtained when a grant was made; removed once revoked upstream. */
export interface UpstreamTokensTable {
  grant_id: string;
  provider_id: string;
  user_id: string;
  /** Sealed JSON: access token, refresh token, expiry. */
  sealed: string;
  access_expires_at: number | null;
  /** Bumped by every refresh: the compare-and-set that keeps concurrent refreshes from losing a rotated token. */
  version: number;
  revoke_attempts: number;
  created_at: number;
  updated_at: number;
}

/** Client side: this app's registration at an authorization server, per redirect URI. */
export interface ClientRegistrationsTable {
  /** The authorization server's `issuer` (checked against its metadata). */
  issuer: string;
  redirect_uri: string;
  client_id: string;
  /** Sealed client secret from DCR; null for public clients and Client ID Metadata Documents. */
  client_secret_sealed: string | null;
  token_endpoint_auth_method: string;
  /** `dcr` (RFC 7591) or `metadata_document` (the client id is the document's URL). */
  method: string;
  /** When a DCR secret expires (RFC 7591 `client_secret_expires_at`); null if never. */
  expires_at: number | null;
  created_at: number;
}

/** Client side: a user's tokens for one MCP server from one authorization server. */
export interface ClientTokensTable {
  user_id: string;
  /** The MCP server's canonical URL (the RFC 8707 `resource`). */
  server_url: string;
  issuer: string;
  client_id: string;
  /** Sealed JSON: access token, refresh token, token type; context binds user, server and issuer. */
  sealed: string;
  /** Space-delimited scope granted. */
  scope: string;
  access_expires_at: number | null;
  has_refresh_token: number;
  /** Bumped by every save: a process that waited for a refresh sees the winner's tokens. */
  version: number;
  created_at: number;
  updated_at: number;
}

/** Client side: an authorization in progress, by the hash of its `state`; single-use. */
export interface ClientPendingLoginsTable {
  state_hash: string;
  user_id: string;
  server_url: string;
  issuer: string;
  /** Sealed JSON: PKCE verifier, client id, redirect URI, scope, resource. */
  sealed: string;
  /** Its own: never touched by a token refresh. */
  created_at: number;
  expires_at: number;
}

/** Client side: who is refreshing a (user, server)'s tokens, across processes, until `expires_at`. */
export interface ClientRefreshLeasesTable {
  user_id: string;
  server_url: string;
  holder: string;
  expires_at: number;
}

/** The security event trail (`portcullis events`); never a secret, swept after the retention period. */
export interface SecurityEventsTable {
  /** Base-36 milliseconds, then random characters: unique, and a tie-break within one second. */
  id: string;
  at: number;
  type: string;
  user_id: string | null;
  client_id: string | null;
  /** The client's network address, as the server saw it (`trustProxy`). */
  address: string | null;
  outcome: string;
  /** JSON object of ids and counts (never a token, code, secret or password). */
  detail: string;
}

/** A fixed-window counter shared by every instance on the database (login failures, registrations). */
export interface RateLimitsTable {
  /** What is counted, e.g. `login-user:alice\n203.0.113.7`; no secret. */
  key: string;
  window_start: number;
  count: number;
  /** `window_start` plus the window: swept after. */
  expires_at: number;
}

export interface Database {
  clients: ClientsTable;
  users: UsersTable;
  authorization_requests: AuthorizationRequestsTable;
  authorization_codes: AuthorizationCodesTable;
  grants: GrantsTable;
  access_tokens: AccessTokensTable;
  sessions: SessionsTable;
  consents: ConsentsTable;
  signing_keys: SigningKeysTable;
  upstream_logins: UpstreamLoginsTable;
  federated_identities: FederatedIdentitiesTable;
  upstream_tokens: UpstreamTokensTable;
  client_registrations: ClientRegistrationsTable;
  client_tokens: ClientTokensTable;
  client_pending_logins: ClientPendingLoginsTable;
  client_refresh_leases: ClientRefreshLeasesTable;
  security_events: SecurityEventsTable;
  rate_limits: RateLimitsTable;
}
