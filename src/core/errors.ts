/**
 * OAuth error codes this project can emit, as a closed union.
 * @see RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; RFC 7591 §3.2.2; RFC 8707 §2; RFC 7009 §2.2.1
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'unsupported_token_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'slow_down';

const STATUS_BY_CODE: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  unsupported_token_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  access_denied: 403,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  slow_down: 429,
};

/**
 * An OAuth protocol error. `description` is public (sent as `error_description`);
 * `detail` is private and only ever reaches a log.
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly description: string;
  readonly detail: string | undefined;

  constructor(code: OAuthErrorCode, description: string, options: { detail?: string; status?: number } = {}) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.detail = options.detail;
    this.status = options.status ?? STATUS_BY_CODE[code];
  }

  /** The JSON body of an error response. @see RFC 6749 §5.2 */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/**
 * An error at the authorization endpoint. It can be sent back to the client's redirect URI only
 * once the client and redirect URI were validated, so the redirect target is part of the type:
 * without it, the error is shown to the user as a page (RFC 6749 §4.1.2.1; RFC 9700 §4.11.2).
 */
export class AuthorizationError extends OAuthError {
  readonly redirect: { redirectUri: string; state: string | undefined } | undefined;

  constructor(code: OAuthErrorCode, description: string, redirect?: { redirectUri: string; state: string | undefined }, options: { detail?: string } = {}) {
    super(code, description, options);
    this.name = 'AuthorizationError';
    this.redirect = redirect;
  }
}

/** Turns anything thrown into an OAuthError, hiding whatever is not one behind `server_error`. */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  return new OAuthError('server_error', 'The server could not complete the request.', {
    detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}
