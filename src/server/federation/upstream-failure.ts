import { type AuthorizationRequest, authorizationResponseUrl } from '../authorization/authorization-request.js';
import type { ServerContext } from '../context.js';
import { authorizationErrorRedirect } from '../http/authorization-error-response.js';
import { errorPageResponse } from '../http/error-page-response.js';
import type { UpstreamError } from './upstream-error.js';

/**
 * How a failed upstream sign-in ends, for the user and for the MCP client (the table in
 * docs/federation.md, "What happens"):
 * - the user or the provider said no → straight back to the client with `access_denied`, as our
 *   own Deny button does;
 * - the provider is down → a page that says so, whose button returns `temporarily_unavailable`
 *   to the client (RFC 6749 §4.1.2.1);
 * - a response that fails the checks → a page, and `server_error` for the client: the user did
 *   nothing wrong and cannot fix it by trying again at once.
 * The page never shows the private detail; the log has it.
 */
export function upstreamFailureResponse(
  ctx: ServerContext,
  request: AuthorizationRequest,
  clientName: string,
  providerName: string,
  error: UpstreamError,
): Response {
  ctx.logger.warn(
    { event: 'upstream_login_failed', failure: error.failure, upstream_error: error.upstreamCode, client_id: request.clientId, detail: error.detail },
    'upstream sign-in failed',
  );
  if (error.failure === 'denied') {
    return authorizationErrorRedirect(ctx, request, 'access_denied', `${providerName} did not allow the sign-in.`);
  }
  const unavailable = error.failure === 'unavailable';
  const code = unavailable ? 'temporarily_unavailable' : 'server_error';
  const description = unavailable ? `${providerName} could not be reached.` : `${providerName} sent a response that failed validation.`;
  const returnTo = { href: authorizationResponseUrl(ctx, request.redirectUri, request.state, { error: code, error_description: description }), clientName };
  return unavailable
    ? errorPageResponse(
        503,
        `${providerName} is not responding`,
        `Signing in with ${providerName} is not possible right now. Try again in a few minutes.`,
        code,
        returnTo,
      )
    : errorPageResponse(
        502,
        `Signing in with ${providerName} failed`,
        `${providerName} sent an answer that Portcullis cannot trust, so you were not signed in.`,
        code,
        returnTo,
      );
}

/** The access-policy refusal page: the account is not allowed here. */
export function accountRefusedResponse(ctx: ServerContext, request: AuthorizationRequest, clientName: string, providerName: string, shownAs: string): Response {
  const description = 'The account is not allowed to use this server.';
  const returnTo = {
    href: authorizationResponseUrl(ctx, request.redirectUri, request.state, { error: 'access_denied', error_description: description }),
    clientName,
  };
  return errorPageResponse(
    403,
    'This account is not allowed',
    `You signed in with ${providerName} as ${shownAs}, but this server does not let that account in. Ask its administrator, or sign in with another account.`,
    'access_denied',
    returnTo,
  );
}
