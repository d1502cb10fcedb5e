import type { Logger } from 'pino';
import type { Keyring } from '../core/seal.js';
import type { PortcullisMetrics } from '../metrics/portcullis-metrics.js';
import type { ClientRecord, Store } from '../store/types.js';
import type { RateLimiter } from './browser/rate-limiter.js';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import type { SecurityEvents } from './events/security-events.js';
import type { Federation } from './federation/federation.js';
import type { RefreshTokenValues } from './tokens/refresh-token-value.js';
import type { SigningKeys } from './tokens/signing-keys.js';

/** Everything a request handler needs, built once per server. */
export interface ServerContext {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly keyring: Keyring;
  readonly signingKeys: SigningKeys;
  /** Mints and reads refresh token values (MAC'd grant id and generation). */
  readonly refreshTokens: RefreshTokenValues;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The security event trail: a row, a log line and a metric per event. */
  readonly events: SecurityEvents;
  /** Requests, tokens issued and refusals counted for `/metrics`; undefined when metrics are off. */
  readonly metrics?: PortcullisMetrics | undefined;
  /** Finds a client by id: registered, or an https Client ID Metadata Document URL. */
  resolveClient(clientId: string): Promise<ClientRecord | undefined>;
  /**
   * `resolveClient` for client authentication (token, revocation, introspection endpoints): a
   * registered client's record may be up to 2 s old (see registered-client-cache.ts).
   */
  resolveAuthenticatingClient(clientId: string): Promise<ClientRecord | undefined>;
  /** Upstream identity providers, when configured. */
  readonly federation: Federation | undefined;
  /** Tells the server grants were revoked, so their upstream tokens are revoked soon (no-op without federation). */
  grantsEnded(): void;
  readonly limiters: {
    readonly registration: RateLimiter;
    readonly loginPerUser: RateLimiter;
    readonly loginPerAddress: RateLimiter;
  };
}
