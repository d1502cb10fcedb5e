import type { Context } from 'hono';
import { AuthorizationError, OAuthError, toOAuthError } from '../../core/errors.js';
import { authorizationResponseUrl, validateAuthorizationRequest } from '../authorization/authorization-request.js';
import { currentUser } from '../browser/session.js';
import { consentCovers } from '../authorization/consent-rules.js';
import type { ServerContext } from '../context.js';
import { parametersFrom, readFormBody } from '../http/form-parameters.js';
import { issueAuthorizationCode } from '../authorization/issue-authorization-code.js';
import { errorPageResponse } from '../browser/page-response.js';
import { savePendingAuthorization } from '../authorization/pending-authorization.js';
import { providerOfUser } from '../federation/federated-user.js';
import { redirectUpstream } from '../federation/upstream-login.js';
import type { ServerPaths } from '../paths.js';

/**
 * Shows an authorization error: back to the client when the error carries a validated redirect
 * (with `state` and `iss`), otherwise as a page, never as a redirect (invariant 3).
 */
export function authorizationErrorResponse(ctx: ServerContext, error: unknown): Response {
  const oauthError = toOAuthError(error);
  if (oauthError.code === 'server_error') ctx.logger.error({ event: 'authorize_failed', detail: oauthError.detail }, 'authorization request failed');
  if (oauthError instanceof AuthorizationError && oauthError.redirect !== undefined) {
    const { redirectUri, state } = oauthError.redirect;
    const location = authorizationResponseUrl(ctx, redirectUri, state, { error: oauthError.code, error_description: oauthError.description });
    return new Response(null, { status: 302, headers: { Location: location, 'Cache-Control': 'no-store' } });
  }
  const status = oauthError.code === 'server_error' ? 500 : 400;
  return errorPageResponse(status, 'This sign-in request cannot continue', oauthError.description, oauthError.code);
}

/**
 * The authorization endpoint (OAuth 2.1 §4.1.1). GET, and POST with a form (RFC 6749 §3.1).
 * A signed-in user who already consented to this client and scope goes straight back with a code;
 * others go through the login and consent pages, which carry a handle to the stored request.
 */
export function authorizeEndpoint(ctx: ServerContext, paths: ServerPaths) {
  return async (c: Context): Promise<Response> => {
    try {
      const params = c.req.method === 'POST' ? await readFormBody(c.req.raw) : parametersFrom(new URL(c.req.url).searchParams);
      const { client, request } = await validateAuthorizationRequest(ctx, params);
      const user = await currentUser(ctx, c);
      if (user !== undefined && (await consentCovers(ctx, user.id, client.clientId, request.scope))) {
        const upstream = await providerOfUser(ctx, user.id);
        if (upstream !== undefined) return redirectUpstream(ctx, upstream, request, 'remembered');
        const location = await issueAuthorizationCode(ctx, request, user.id);
        return new Response(null, { status: 302, headers: { Location: location, 'Cache-Control': 'no-store' } });
      }
      const handle = await savePendingAuthorization(ctx, request);
      const next = `${user === undefined ? paths.login : paths.consent}?request=${handle}`;
      return new Response(null, { status: 303, headers: { Location: next, 'Cache-Control': 'no-store' } });
    } catch (error) {
      // Malformed parameters (repeated, wrong body type) are not attributable to a validated client.
      if (error instanceof OAuthError && !(error instanceof AuthorizationError)) return authorizationErrorResponse(ctx, new AuthorizationError(error.code, error.description));
      return authorizationErrorResponse(ctx, error);
    }
  };
}
