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

/** The SDK's view of a verified identity; `extra` carries `subject`, `issuer` and `tokenId`. */
export function toMcpAuthInfo(identity: VerifiedIdentity, token: string): McpAuthInfo {
  return {
    token,
    clientId: identity.clientId,
    scopes: [...identity.scopes],
    expiresAt: identity.expiresAt,
    // Parsed when read: most handlers never look, and a URL costs microseconds per request.
    get resource() {
      return new URL(identity.audience);
    },
    extra: { subject: identity.subject, issuer: identity.issuer, tokenId: identity.tokenId },
  };
}
