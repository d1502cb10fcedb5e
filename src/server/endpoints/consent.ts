import type { Context } from 'hono';
import { OAuthError } from '../../core/errors.js';
import { authorizationResponseUrl, type AuthorizationRequest } from '../authorization-request.js';
import { csrfTokenFor, ensureCsrfCookie, isCsrfTokenValid } from '../browser-cookies.js';
import { currentUser } from '../browser-session.js';
import { nowSeconds } from '../clock.js';
import { consentCovers } from '../consent.js';
import type { ServerContext } from '../context.js';
import { readFormBody } from '../form-parameters.js';
import { issueAuthorizationCode } from '../issue-authorization-code.js';
import { errorPageResponse, formTargetFor, pageResponse } from '../page-response.js';
import { renderConsentPage } from '../pages/index.js';
import type { ServerPaths } from '../paths.js';
import { findPendingAuthorization, takePendingAuthorization } from '../pending-authorization.js';

const expiredPage = () =>
  errorPageResponse(400, 'This sign-in link has expired', 'Go back to the application and start signing in again.', 'invalid_request');

const redirectTo = (location: string) => new Response(null, { status: 303, headers: { Location: location, 'Cache-Control': 'no-store' } });

/**
 * The consent page (GET) and decision (POST). The user approves each client by name, id and
 * redirect host before a code is issued (MCP security best practices, confused deputy); an
 * approval is remembered per user, client and scope set. `deny` returns `access_denied`.
 */
export function consentEndpoint(ctx: ServerContext, paths: ServerPaths) {
  return async (c: Context): Promise<Response> => {
    const user = await currentUser(ctx, c);
    if (c.req.method === 'GET') {
      const handle = c.req.query('request');
      const request = await findPendingAuthorization(ctx, handle);
      if (handle === undefined || request === undefined) return expiredPage();
      if (user === undefined) return redirectTo(`${paths.login}?request=${handle}`);
      const client = await ctx.resolveClient(request.clientId).catch(() => undefined);
      if (client === undefined) return expiredPage();
      if (await consentCovers(ctx, user.id, client.clientId, request.scope)) {
        if ((await takePendingAuthorization(ctx, handle)) === undefined) return expiredPage();
        return redirectTo(await issueAuthorizationCode(ctx, request, user.id));
      }
      const csrf = ensureCsrfCookie(ctx, c);
      const html = renderConsentPage({
        action: paths.consent,
        hiddenFields: { request: handle, csrf_token: csrfTokenFor(ctx, csrf.value, handle) },
        clientName: client.clientName,
        clientId: client.clientId,
        clientUri: typeof client.metadata['client_uri'] === 'string' ? client.metadata['client_uri'] : null,
        redirectHost: new URL(request.redirectUri).host || new URL(request.redirectUri).protocol,
        resource: request.resource,
        scopes: request.scope.map((name) => ({ name, description: ctx.config.scopes[name] ?? '' })),
        username: user.username,
        isDynamicallyRegistered: client.source !== 'static',
      });
      return pageResponse(html, 200, [formTargetFor(request.redirectUri)], csrf.setCookie);
    }

    let form: Record<string, string>;
    try {
      form = await readFormBody(c.req.raw);
    } catch (error) {
      return errorPageResponse(400, 'This form could not be read', error instanceof OAuthError ? error.description : 'Bad request.', 'invalid_request');
    }
    const handle = form['request'] ?? '';
    if (!isCsrfTokenValid(ctx, c, handle, form['csrf_token'])) {
      return errorPageResponse(403, 'This form has expired', 'Go back to the application and start signing in again.', 'invalid_request');
    }
    if (user === undefined) return redirectTo(`${paths.login}?request=${handle}`);
    const decision = form['decision'];
    if (decision !== 'approve' && decision !== 'deny') return errorPageResponse(400, 'No decision was made', 'Choose Approve or Deny.', 'invalid_request');
    const request: AuthorizationRequest | undefined = await takePendingAuthorization(ctx, handle);
    if (request === undefined) return expiredPage();

    if (decision === 'deny') {
      ctx.logger.info({ event: 'consent_denied', client_id: request.clientId, user_id: user.id }, 'user denied consent');
      return redirectTo(authorizationResponseUrl(ctx, request.redirectUri, request.state, { error: 'access_denied', error_description: 'The user denied the request.' }));
    }
    await ctx.store.consents.grant(user.id, request.clientId, request.scope, nowSeconds(ctx.clock));
    ctx.logger.info({ event: 'consent_granted', client_id: request.clientId, user_id: user.id }, 'user approved client');
    return redirectTo(await issueAuthorizationCode(ctx, request, user.id));
  };
}
