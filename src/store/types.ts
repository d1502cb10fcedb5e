/** Domain records and one storage interface per concern. Times are Unix seconds. */

import type { GrantListFilter, GrantListing } from './grant-listing.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { SecurityEventStore } from './security-event-store.js';

export interface ClientRecord {
  clientId: string;
  secretHash: string | null;
  tokenEndpointAuthMethod: 'none' | 'client_secret_basic' | 'client_secret_post';
  redirectUris: string[];
  grantTypes: string[];
  clientName: string | null;
  /** Scopes the client registered with: a limit for pre-registered clients, the default request for self-registered ones; null means the server default. */
  scope: string[] | null;
  metadata: Record<string, unknown>;
  source: 'dynamic' | 'static';
  createdAt: number;
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
}

export interface AuthorizationCodeRecord {
  codeHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string[];
  resource: string;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

/**
 * A grant: one authorization of one client by one user, and the family of tokens issued from it.
 * Its refresh token is not stored; the grant keeps the generation of the current one
 * (src/server/tokens/refresh-token-value.ts).
 */
export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string;
  scope: string[];
  resource: string;
  createdAt: number;
  revokedAt: number | null;
  /** The current refresh token's generation; null when the client may not refresh. */
  refreshGeneration: number | null;
  /** When the current refresh token expires; null with `refreshGeneration`. */
  refreshExpiresAt: number | null;
  /** When the grant last issued tokens (its code redeemed, a refresh); null if never recorded (before migration 0006). */
  lastUsedAt: number | null;
}

export interface AccessTokenRecord {
  jti: string;
  grantId: string;
  clientId: string;
  expiresAt: number;
  revokedAt: number | null;
}

export interface SessionRecord {
  idHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

export interface ConsentRecord {
  userId: string;
  clientId: string;
  scope: string[];
  createdAt: number;
  updatedAt: number;
}

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  publicJwk: string;
  privateJwkSealed: string;
  createdAt: number;
  retiredAt: number | null;
}

export interface PendingAuthorizationRecord {
  idHash: string;
  clientId: string;
  params: string;
  createdAt: number;
  expiresAt: number;
}

export interface UpstreamLoginRecord {
  stateHash: string;
  providerId: string;
  sealed: string;
  createdAt: number;
  expiresAt: number;
}

export interface FederatedIdentityRecord {
  providerId: string;
  subject: string;
  userId: string;
  email: string | null;
  displayName: string | null;
  createdAt: number;
  lastLoginAt: number;
}

export interface UpstreamTokensRecord {
  grantId: string;
  providerId: string;
  userId: string;
  sealed: string;
  accessExpiresAt: number | null;
  version: number;
  revokeAttempts: number;
  createdAt: number;
  updatedAt: number;
}

/** Client side: this app's registration at one authorization server for one redirect URI. */
export interface ClientRegistrationRecord {
  issuer: string;
  redirectUri: string;
  clientId: string;
  /** The DCR client secret, sealed; null for public clients and metadata-document clients. */
  clientSecretSealed: string | null;
  tokenEndpointAuthMethod: string;
  method: 'dcr' | 'metadata_document';
  expiresAt: number | null;
  createdAt: number;
}

/** Client side: a user's tokens for one MCP server from one authorization server. */
export interface ClientTokensRecord {
  userId: string;
  serverUrl: string;
  issuer: string;
  clientId: string;
  /** Sealed JSON of the access and refresh tokens. */
  sealed: string;
  scope: string[];
  accessExpiresAt: number | null;
  hasRefreshToken: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** What a save or a refresh writes over a (user, server, issuer)'s tokens. */
export type ClientTokensUpdate = Pick<ClientTokensRecord, 'clientId' | 'sealed' | 'scope' | 'accessExpiresAt' | 'hasRefreshToken'>;

/** Client side: an authorization in progress, found by the hash of its `state`. */
export interface ClientPendingLoginRecord {
  stateHash: string;
  userId: string;
  serverUrl: string;
  issuer: string;
  /** Sealed JSON: PKCE verifier, client id, redirect URI, scope, resource. */
  sealed: string;
  createdAt: number;
  expiresAt: number;
}

export interface ClientStore {
  create(client: ClientRecord): Promise<void>;
  /** Undefined too for a row not of the shape `create` writes (corrupted, or written by something else). */
  find(clientId: string): Promise<ClientRecord | undefined>;
  /** Every client, leaving out rows not of the shape `create` writes. */
  list(): Promise<ClientRecord[]>;
  /** Deletes the client and revokes every grant it holds. Returns whether it existed. */
  remove(clientId: string, now: number): Promise<boolean>;
  /** Dynamically registered clients nobody has used since `since` (`clients prune`; the rule is in client-store.ts). */
  listUnused(since: number, now: number): Promise<ClientRecord[]>;
}

export interface UserStore {
  /** Throws `UniqueViolation` if the username is taken. */
  create(user: UserRecord): Promise<void>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /**
   * Replaces the password hash and ends the user's browser sessions (whoever knew the old password
   * is signed out); grants and consents stay. Returns whether the user exists.
   */
  setPasswordHash(username: string, passwordHash: string): Promise<boolean>;
  /** Deletes the user, their sessions and consents, and revokes their grants. */
  remove(username: string, now: number): Promise<boolean>;
}

export interface PendingAuthorizationStore {
  create(record: PendingAuthorizationRecord): Promise<void>;
  /** Returns the pending request if it exists and has not expired. */
  find(idHash: string, now: number): Promise<PendingAuthorizationRecord | undefined>;
  /** Atomically removes and returns it: one decision per request. */
  take(idHash: string, now: number): Promise<PendingAuthorizationRecord | undefined>;
}

export type CodeRedemption =
  | { outcome: 'redeemed'; code: AuthorizationCodeRecord }
  | { outcome: 'replayed'; code: AuthorizationCodeRecord }
  | { outcome: 'unknown' };

export interface AuthorizationCodeStore {
  create(code: AuthorizationCodeRecord): Promise<void>;
  /**
   * Marks the code consumed in one conditional statement and returns it. Exactly one of any
   * number of concurrent calls for one code sees `redeemed` (docs/design.md invariant 2).
   */
  consume(codeHash: string, now: number): Promise<CodeRedemption>;
}

/** Which refresh token of which grant to rotate, and what the rotated one gets. */
export interface RefreshRotation {
  grantId: string;
  clientId: string;
  generation: number;
  now: number;
  /** The new refresh token's expiry. */
  expiresAt: number;
  /** Rotate only if the grant is for this resource (RFC 8707 §2.2). */
  resource?: string;
}

export interface GrantStore {
  /** Creates a grant unless one with this id exists (a replayed code may have revoked it first). */
  create(grant: GrantRecord): Promise<void>;
  find(id: string): Promise<GrantRecord | undefined>;
  /** Revokes a grant; the refresh and access tokens issued under it stop working with it. */
  revoke(id: string, now: number): Promise<void>;
  /**
   * Revokes the grant a replayed code started, creating it as revoked if its redemption has not
   * stored it yet, so tokens issued from the code never become usable.
   */
  revokeFromCode(code: AuthorizationCodeRecord, now: number): Promise<void>;
  revokeForUserAndClient(userId: string, clientId: string, now: number): Promise<number>;
  listForUser(userId: string): Promise<GrantRecord[]>;
  /** Grants with their user, client and how they were obtained (`portcullis grants list`), oldest first. */
  list(filter?: GrantListFilter): Promise<GrantListing[]>;

  /**
   * Rotates the grant's refresh token from `generation` to the next, in one conditional
   * `UPDATE … RETURNING` that also requires the client, a live grant, an unexpired token and, when
   * given, the grant's resource: exactly one of any number of concurrent callers (processes and
   * machines too) gets the updated grant; the others get undefined (docs/design.md invariant 5;
   * RFC 9700 §4.14.2).
   */
  rotateRefreshToken(rotation: RefreshRotation): Promise<GrantRecord | undefined>;

  /**
   * The record of a revoked access token. (Tokens are not recorded when issued: a `jti` names its
   * grant. Records with `revokedAt` null are of tokens issued before that, until swept.)
   */
  findAccessToken(jti: string): Promise<AccessTokenRecord | undefined>;
  /** Records the access token as revoked (RFC 7009), once: a later revoke keeps the first time. */
  revokeAccessToken(token: AccessTokenRecord, now: number): Promise<void>;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  find(idHash: string, now: number): Promise<SessionRecord | undefined>;
  remove(idHash: string): Promise<void>;
}

export interface ConsentStore {
  find(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Adds scopes to what the user approved for the client (union). */
  grant(userId: string, clientId: string, scope: string[], now: number): Promise<void>;
  listForUser(userId: string): Promise<ConsentRecord[]>;
  /** Forgets the consent and revokes the grants the client holds for the user. */
  revoke(userId: string, clientId: string, now: number): Promise<boolean>;
}

export interface FederationStore {
  createLogin(record: UpstreamLoginRecord): Promise<void>;
  /** Atomically removes the attempt and returns it unless expired: one callback per `state`. */
  takeLogin(stateHash: string, now: number): Promise<UpstreamLoginRecord | undefined>;
  /**
   * The local user an upstream account signs in as: the linked one (its email and name updated),
   * or `newUser`, created and linked in one transaction on the account's first sign-in.
   */
  signIn(
    identity: { providerId: string; subject: string; email: string | null; displayName: string | null },
    newUser: UserRecord,
    now: number,
  ): Promise<{ userId: string; created: boolean }>;
  findIdentityOfUser(userId: string): Promise<FederatedIdentityRecord | undefined>;
  saveUpstreamTokens(record: UpstreamTokensRecord): Promise<void>;
  findUpstreamTokens(grantId: string): Promise<UpstreamTokensRecord | undefined>;
  /** Stores refreshed tokens if no one else did since `expectedVersion` was read; returns whether it did. */
  replaceUpstreamTokens(grantId: string, expectedVersion: number, sealed: string, accessExpiresAt: number | null, now: number): Promise<boolean>;
  /** Upstream tokens whose grant was revoked, or that no grant claimed and were made before `orphanedBefore`. */
  listEndedUpstreamTokens(orphanedBefore: number, limit: number): Promise<UpstreamTokensRecord[]>;
  deleteUpstreamTokens(grantId: string): Promise<void>;
  /** Counts a failed attempt to revoke the tokens upstream; returns the new count. */
  noteRevokeAttempt(grantId: string): Promise<number>;
}

export interface SigningKeyStore {
  add(key: SigningKeyRecord): Promise<void>;
  /** Keys not retired, or retired after `retiredAfter` (their tokens may still be live). */
  listPublishable(retiredAfter: number): Promise<SigningKeyRecord[]>;
  /** Retires, as of `at`, every key not retired that was made before `createdAt` (a newer key has replaced them). */
  retireOlderThan(createdAt: number, at: number): Promise<void>;
  /** Retires every key but `kid`. */
  retireAllExcept(kid: string, now: number): Promise<void>;
}

/** The client side's state (src/client/): registrations, sealed tokens, pending logins, refresh leases. */
export interface McpClientStore {
  findRegistration(issuer: string, redirectUri: string): Promise<ClientRegistrationRecord | undefined>;
  /** Stores the registration, replacing one for the same issuer and redirect URI. */
  saveRegistration(record: ClientRegistrationRecord): Promise<void>;
  deleteRegistration(issuer: string, redirectUri: string): Promise<void>;
  /** Every registration at the issuer (one per redirect URI). */
  listRegistrations(issuer: string): Promise<ClientRegistrationRecord[]>;

  createPendingLogin(record: ClientPendingLoginRecord): Promise<void>;
  /** Atomically removes the pending login and returns it unless expired: one callback per `state`. */
  takePendingLogin(stateHash: string, now: number): Promise<ClientPendingLoginRecord | undefined>;

  /** The most recently saved tokens of the user for the server (from whichever issuer). */
  findTokens(userId: string, serverUrl: string): Promise<ClientTokensRecord | undefined>;
  /** Stores tokens from an authorization (insert or overwrite); returns the new version. */
  saveTokens(userId: string, serverUrl: string, issuer: string, update: ClientTokensUpdate, now: number): Promise<number>;
  /** Stores refreshed tokens if no one else did since `expectedVersion` was read; returns whether it did. */
  replaceTokens(userId: string, serverUrl: string, issuer: string, expectedVersion: number, update: ClientTokensUpdate, now: number): Promise<boolean>;
  /** Deletes the tokens if they are still at `expectedVersion` (a failed refresh of what another process already replaced keeps the new ones). */
  clearTokens(userId: string, serverUrl: string, issuer: string, expectedVersion: number): Promise<boolean>;
  listTokens(userId: string): Promise<ClientTokensRecord[]>;
  /** Deletes the user's tokens, pending logins and lease for the server; returns the tokens deleted. */
  removeServer(userId: string, serverUrl: string): Promise<ClientTokensRecord[]>;
  /** Deletes everything kept for the user; returns the tokens deleted. */
  removeUser(userId: string): Promise<ClientTokensRecord[]>;

  /**
   * Takes the refresh lease for (user, server) in one statement, unless another holder's lease is
   * still live at `now`. Returns whether `holder` now holds it.
   */
  takeRefreshLease(userId: string, serverUrl: string, holder: string, now: number, expiresAt: number): Promise<boolean>;
  releaseRefreshLease(userId: string, serverUrl: string, holder: string): Promise<void>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly clients: ClientStore;
  readonly users: UserStore;
  readonly pendingAuthorizations: PendingAuthorizationStore;
  readonly codes: AuthorizationCodeStore;
  readonly grants: GrantStore;
  readonly sessions: SessionStore;
  readonly consents: ConsentStore;
  readonly signingKeys: SigningKeyStore;
  readonly federation: FederationStore;
  /** The client side: this app as an OAuth client of MCP servers. */
  readonly mcpClient: McpClientStore;
  /** The security event trail (swept by the server after its retention period, not by `sweep`). */
  readonly securityEvents: SecurityEventStore;
  /** Rate-limit windows shared by every instance on this database. */
  readonly rateLimits: RateLimitStore;
  /** Whether the database answers and every migration is applied (`/readyz`; readiness.ts); `timeoutMs` default 1,000. */
  checkReadiness(timeoutMs?: number): Promise<import('./readiness.js').StoreReadiness>;
  /** Deletes expired codes, pending requests, sessions and tokens; returns rows removed. */
  sweep(now: number): Promise<number>;
  close(): Promise<void>;
}

/** Thrown when a unique key (a username, a client id) is already taken. */
export class UniqueViolation extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'UniqueViolation';
  }
}
