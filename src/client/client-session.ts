import type { TokenEndpointResponse } from 'oauth4webapi';
import { canonicalResource } from '../core/resource-uri.js';
import type { ClientTokensRecord, ClientTokensUpdate } from '../store/types.js';
import { probeWithoutCredentials } from './challenge-probe.js';
import { type AuthorizationServerMetadata, type DiscoveredServer, discoverAuthorizationServer, discoverServer } from './discovery.js';
import { openTokens, sealTokens, type TokenSecrets } from './sealed-values.js';
import type { ClientContext, ClientMetadata, McpOAuthOptions } from './types.js';

/**
 * One (user, MCP server) as the client sees it: the options, the clock, and what discovery found,
 * kept in memory and looked up again when it fails or is invalidated. Tokens are always read from
 * the store, so several processes share them.
 */
export class ClientSession {
  readonly context: ClientContext;
  readonly userId: string;
  /** The server URL in canonical form: the key its tokens are stored under. */
  readonly serverUrl: string;
  readonly redirectUrl: string;
  readonly clientMetadata: ClientMetadata;
  readonly clientMetadataUrl: string | undefined;
  readonly defaultScope: string | undefined;
  readonly refreshSkewSeconds: number;
  readonly refreshLeaseSeconds: number;
  private discovery: Promise<DiscoveredServer> | undefined;
  private rediscovering: Promise<DiscoveredServer> | undefined;
  private readonly issuerMetadata = new Map<string, Promise<AuthorizationServerMetadata>>();
  /** The `resource_metadata` of the last challenge seen (used first by discovery). */
  resourceMetadataHint: string | undefined;
  /** The `scope` of the last 401 challenge seen (first in the scope selection). */
  challengeScope: string | undefined;

  constructor(options: McpOAuthOptions) {
    this.context = options;
    this.userId = options.userId;
    this.serverUrl = canonicalResource(options.serverUrl);
    this.redirectUrl = options.redirectUrl;
    this.clientMetadata = options.clientMetadata;
    this.clientMetadataUrl = options.clientMetadataUrl;
    this.defaultScope = options.scope;
    this.refreshSkewSeconds = options.refreshSkewSeconds ?? 60;
    this.refreshLeaseSeconds = options.refreshLeaseSeconds ?? 30;
  }

  nowMs(): number {
    return this.context.clock?.now() ?? Date.now();
  }

  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /**
   * Discovery, done once and shared by concurrent callers; a failure is not remembered. Without a
   * `resource_metadata` from a challenge already seen, the server is first asked without
   * credentials for one, so the spec's first source is always tried first.
   */
  discover(): Promise<DiscoveredServer> {
    if (this.discovery === undefined) {
      const pending = this.discoverNow();
      this.discovery = pending;
      pending.then(
        (found) => this.issuerMetadata.set(found.issuer, Promise.resolve(found.authorizationServer)),
        () => {
          if (this.discovery === pending) this.discovery = undefined;
        },
      );
    }
    return this.discovery;
  }

  /**
   * Discovery done again, now: the protected-resource metadata may name another authorization
   * server than before (MCP "Authorization Server Binding"). Joins a discovery already under way.
   */
  rediscover(): Promise<DiscoveredServer> {
    if (this.rediscovering === undefined) {
      this.forgetDiscovery();
      const pending = this.discover();
      this.rediscovering = pending;
      const done = () => {
        if (this.rediscovering === pending) this.rediscovering = undefined;
      };
      pending.then(done, done);
    }
    return this.rediscovering;
  }

  /** Remembers what a 401's Bearer challenge says: where the metadata is, and the scope needed. */
  noteChallenge(challenge: Record<string, string> | null | undefined): void {
    const hint = challenge?.['resource_metadata'];
    if (hint !== undefined) this.resourceMetadataHint = hint;
    const scope = challenge?.['scope'];
    if (scope !== undefined) this.challengeScope = scope;
  }

  private async discoverNow(): Promise<DiscoveredServer> {
    if (this.resourceMetadataHint === undefined) {
      const probe = await probeWithoutCredentials(this.serverUrl, this.context.fetch).catch(() => undefined);
      this.noteChallenge(probe?.challenge);
    }
    return discoverServer(this.serverUrl, {
      ...(this.resourceMetadataHint !== undefined ? { resourceMetadataUrl: this.resourceMetadataHint } : {}),
      ...(this.context.fetch !== undefined ? { fetch: this.context.fetch } : {}),
    });
  }

  forgetDiscovery(): void {
    this.discovery = undefined;
    this.issuerMetadata.clear();
  }

  /** The checked metadata of an issuer recorded earlier (with a pending login or stored tokens). */
  authorizationServer(issuer: string): Promise<AuthorizationServerMetadata> {
    let found = this.issuerMetadata.get(issuer);
    if (found === undefined) {
      found = discoverAuthorizationServer(issuer, this.context.fetch !== undefined ? { fetch: this.context.fetch } : {});
      this.issuerMetadata.set(issuer, found);
      found.catch(() => this.issuerMetadata.delete(issuer));
    }
    return found;
  }

  async readTokens(): Promise<{ record: ClientTokensRecord; secrets: TokenSecrets } | undefined> {
    const record = await this.context.store.findTokens(this.userId, this.serverUrl);
    if (record === undefined) return undefined;
    return { record, secrets: openTokens(this.context.keyring, record) };
  }

  /**
   * Whether the access token expires within the refresh margin (or has). The margin is the skew,
   * capped at half the token's lifetime (from when it was stored to when it expires): with the
   * default 60 s and a token that lives 60 s or less, a fixed margin would refresh before every
   * request.
   */
  isExpiring(record: ClientTokensRecord): boolean {
    if (record.accessExpiresAt === null) return false;
    const lifetime = Math.max(0, record.accessExpiresAt - record.updatedAt);
    const margin = Math.min(this.refreshSkewSeconds, Math.floor(lifetime / 2));
    return record.accessExpiresAt - margin <= this.now();
  }

  /** Whether the access token has expired (the server would refuse it). */
  hasExpired(record: ClientTokensRecord): boolean {
    return record.accessExpiresAt !== null && record.accessExpiresAt <= this.now();
  }

  /** What a token response stores: the secrets sealed for this row, the scope granted, the expiry. */
  tokensUpdate(issuer: string, clientId: string, response: TokenEndpointResponse, requestedScope: string[], previousRefreshToken?: string): ClientTokensUpdate {
    // A refresh response without a new refresh token keeps the old one (RFC 6749 §6).
    const refreshToken = response.refresh_token ?? previousRefreshToken;
    const secrets: TokenSecrets = {
      access_token: response.access_token,
      token_type: response.token_type,
      ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
    };
    return {
      clientId,
      sealed: sealTokens(this.context.keyring, { userId: this.userId, serverUrl: this.serverUrl, issuer }, secrets),
      // RFC 6749 §5.1: no `scope` in the response means the scope requested was granted.
      scope: response.scope !== undefined ? response.scope.split(' ').filter((s) => s !== '') : requestedScope,
      accessExpiresAt: typeof response.expires_in === 'number' ? this.now() + response.expires_in : null,
      hasRefreshToken: refreshToken !== undefined,
    };
  }
}
