import type { VerifiedIdentity } from './types.js';

/**
 * The MCP TypeScript SDK's `AuthInfo` (`@modelcontextprotocol/sdk/server/auth/types.js`), restated
 * so this package does not depend on the SDK: a transport given it (Express `req.auth`, or the
 * `authInfo` option of the web-standard transport) hands it to tool handlers as `extra.authInfo`.
 */
export interface McpAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  /** Seconds since the epoch. */
  expiresAt?: number;
  /** The RFC 8707 resource the token was issued for. */
  resource?: URL;
  extra?: Record<string, unknown>;
}

/**
 * The SDK's view of one request's verified identity. Plain own fields, so a handler may spread or
 * serialise it, each request with its own copies (a handler changing its `scopes` changes no
 * other request's); only `resource` is an accessor on the prototype, parsed when first read,
 * since a URL costs more than the rest together and most handlers never look.
 */
class VerifiedAuthInfo implements McpAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  extra: Record<string, unknown>;
  readonly #audience: string;
  #resource: URL | undefined;

  constructor(identity: VerifiedIdentity, token: string) {
    this.token = token;
    this.clientId = identity.clientId;
    this.scopes = [...identity.scopes];
    this.expiresAt = identity.expiresAt;
    this.extra = { subject: identity.subject, issuer: identity.issuer, tokenId: identity.tokenId };
    this.#audience = identity.audience;
  }

  get resource(): URL {
    this.#resource ??= new URL(this.#audience);
    return this.#resource;
  }

  set resource(value: URL) {
    this.#resource = value;
  }

  toJSON(): McpAuthInfo {
    return { token: this.token, clientId: this.clientId, scopes: this.scopes, expiresAt: this.expiresAt, resource: this.resource, extra: this.extra };
  }
}

/** The SDK's view of a verified identity; `extra` carries `subject`, `issuer` and `tokenId`. */
export function toMcpAuthInfo(identity: VerifiedIdentity, token: string): McpAuthInfo {
  return new VerifiedAuthInfo(identity, token);
}
