/**
 * The part of oidc-provider 9 the refresh-token benchmark uses (no @types package is installed).
 * @see https://github.com/panva/node-oidc-provider/blob/main/docs/README.md
 */
declare module 'oidc-provider' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcClient {
    readonly clientId: string;
    readonly applicationType: string;
    readonly clientAuthMethod: string;
  }

  export interface OidcToken {
    readonly remainingTTL: number;
    isSenderConstrained(): boolean;
    /** Stores the token; resolves to its value (the opaque token). */
    save(): Promise<string>;
  }

  export interface OidcGrant {
    addOIDCScope(scope: string): void;
    /** Stores the grant; resolves to its id. */
    save(): Promise<string>;
  }

  export interface RefreshTokenInit {
    client: OidcClient;
    accountId: string;
    grantId: string;
    scope: string;
    gty?: string;
    expiresWithSession?: boolean;
    rotations?: number;
  }

  export default class Provider extends EventEmitter {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    readonly issuer: string;
    /** Absolute URL of a route, e.g. `urlFor('token')`. */
    urlFor(route: string): string;
    /** Koa's request listener. */
    callback(): (request: IncomingMessage, response: ServerResponse) => Promise<void>;
    readonly Client: { find(clientId: string): Promise<OidcClient | undefined> };
    readonly Grant: new (init: {
      accountId: string;
      clientId: string;
    }) => OidcGrant;
    readonly RefreshToken: new (
      init: RefreshTokenInit,
    ) => OidcToken;
  }
}

/** oidc-provider's default in-memory adapter. */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  /** What oidc-provider builds when `adapter` is not set: one LRU store shared by every model. */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
