import { AuthorizationError, type OAuthErrorCode, toOAuthError } from '../../core/errors.js';
import { authorizationResponseUrl } from '../authorization/authorization-request.js';
import type { ServerContext } from '../context.js';
import { thrownErrorPageResponse } from './error-page-response.js';
import { type RedirectStatus, redirectResponse } from './redirect.js';

/**
 * Sends an authorization error back to the client: `error` and `error_description` with the
 * unchanged `state` and this server's `iss`, at a redirect URI already validated for the client.
 * @see RFC 6749 §4.1.2.1; RFC 9207 §2
 */
export function authorizationErrorRedirect(
  ctx: ServerContext,
  to: { redirectUri: string; state: string | undefined },
  code: OAuthErrorCode,
  description: string,
  status: RedirectStatus = 303,
): Response {
  // Counted under `authorize` whichever page sends it: it is the authorization endpoint's answer (RFC 6749 §4.1.2.1).
  ctx.metrics?.oauth.refused('authorize', code);
  return redirectResponse(authorizationResponseUrl(ctx, to.redirectUri, to.state, { error: code, error_description: description }), status);
}

/**
 * Shows an error of the authorization endpoint: back to the client (302) when the error carries a
 * validated redirect, otherwise as a page, never as a redirect (docs/design.md invariant 3).
 * @see RFC 6749 §4.1.2.1; RFC 9700 §4.11.2 (open redirectors)
 */
export function authorizationErrorResponse(ctx: ServerContext, error: unknown): Response {
  const oauthError = toOAuthError(error);
  if (oauthError.code === 'server_error') ctx.logger.error({ event: 'authorize_failed', detail: oauthError.detail }, 'authorization request failed');
  if (oauthError instanceof AuthorizationError && oauthError.redirect !== undefined) {
    return authorizationErrorRedirect(ctx, oauthError.redirect, oauthError.code, oauthError.description, 302);
  }
  ctx.metrics?.oauth.refused('authorize', oauthError.code);
  return thrownErrorPageResponse(oauthError, 'This sign-in request cannot continue');
}
