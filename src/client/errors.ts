/**
 * Why the client refused to go on. A closed union, so apps and tests branch on the code, never on
 * the message (STYLE.md "Errors").
 */
export type ClientAuthErrorCode =
  /** No protected-resource metadata at any of the addresses the spec lists. @see RFC 9728 §3 */
  | 'resource_metadata_not_found'
  /** The protected-resource metadata names another resource than the server asked. @see RFC 9728 §3.3 */
  | 'resource_mismatch'
  /** No authorization-server metadata, or its `issuer` is not the one it was fetched for. @see RFC 8414 §3.3 */
  | 'authorization_server_metadata_invalid'
  /** The authorization server does not list S256 in `code_challenge_methods_supported`. @see RFC 7636 §4.2 */
  | 'pkce_not_supported'
  /** Neither pre-registered credentials, a usable Client ID Metadata Document, nor DCR. */
  | 'registration_unavailable'
  /** The callback's `state` is unknown, already used or expired. @see RFC 6749 §10.12 */
  | 'invalid_state'
  /** The callback's `iss` is missing where required or is another issuer. @see RFC 9207 §2.4 */
  | 'issuer_mismatch'
  /** The authorization server answered the callback with an error (after `iss` was checked). */
  | 'authorization_denied'
  /** The authorization URL is not http or https (a `javascript:` or `file:` URL). */
  | 'unsafe_authorization_url'
  /** A request to the authorization server failed or its answer could not be used. */
  | 'authorization_server_error'
  /** No stored tokens for this user and server: log in first. */
  | 'not_logged_in';

/** A refusal of the client side of OAuth, with a fixed `code`. */
export class ClientAuthError extends Error {
  override readonly name = 'ClientAuthError';
  constructor(
    readonly code: ClientAuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The stored grant is gone (a refresh answered `invalid_grant`, or there never was one): the
 * tokens were cleared and the user must connect again. Apps show it as "reconnect".
 * @see RFC 6749 §5.2 (`invalid_grant`)
 */
export class ReauthRequiredError extends Error {
  override readonly name = 'ReauthRequiredError';
  readonly code = 'reauth_required' as const;
  constructor(
    readonly userId: string,
    readonly serverUrl: string,
    options?: { cause?: unknown },
  ) {
    super(`the authorization for ${serverUrl} has ended; connect again`, options);
  }
}
