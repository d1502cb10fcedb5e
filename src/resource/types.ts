/**
 * The contracts inside the protected-resource part (docs/design.md `src/resource/`): what a verified
 * token says, how a token is checked, and how an MCP call maps to the scopes it needs.
 */

/** Who is calling, as proven by a verified access token (RFC 9068 §2.2). */
export interface VerifiedIdentity {
  /** `sub`: the user. */
  readonly subject: string;
  /** `client_id`: the MCP client acting for the user. */
  readonly clientId: string;
  /** `scope`, split. */
  readonly scopes: readonly string[];
  /** `iss`. */
  readonly issuer: string;
  /** `aud`: the resource the token was issued for (RFC 8707), equal to this resource. */
  readonly audience: string;
  /** `jti`. */
  readonly tokenId: string;
  /** `exp`, Unix seconds. */
  readonly expiresAt: number;
}

/**
 * Checks a bearer token. Resolves with the identity, or rejects with an OAuthError whose code is
 * `invalid_token` (the public description says nothing about why; the detail does, for logs).
 * Extension: `temporarily_unavailable` when the token could not be checked at all (JWKS or
 * introspection endpoint unreachable), so the guard answers 503 and the client keeps its token.
 */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedIdentity>;
  /**
   * The synchronous fast path: the identity of a token that `verify()` accepted earlier and that is
   * still trusted (not past its expiry plus the clock skew, nor past the cache's bound), or
   * undefined, which means "ask `verify()`", never "refused". It must return an identity only for
   * a token `verify()` would accept right now, and only for an RFC 6750 §2.1 b64token: the guard
   * then skips the credential-syntax check. Optional; the verifiers here implement it with their
   * verified-token cache.
   */
  verifyCached?(token: string): VerifiedIdentity | undefined;
}

/**
 * Which scopes an MCP call needs (MCP Authorization, "Scope Challenge Handling"): every call needs
 * `required`; a JSON-RPC method in `methods` adds its scopes; `tools/call` of a tool in `tools`
 * adds that tool's scopes.
 */
export interface ScopePolicy {
  readonly required: readonly string[];
  readonly methods: Readonly<Record<string, readonly string[]>>;
  readonly tools: Readonly<Record<string, readonly string[]>>;
}
