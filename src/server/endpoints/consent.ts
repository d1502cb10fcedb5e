import type { Context } from 'hono';
import { authorizationResponseUrl, type AuthorizationRequest } from '../authorization-request.js';
import { csrfTokenFor, ensureCsrfCookie } from '../browser-cookies.js';
import { currentUser } from '../browser-session.js';
import { nowSeconds } from '../clock.js';
import { consentCovers } from '../consent.js';
import type { ServerContext } from '../context.js';
import { issueAuthorizationCode } from '../issue-authorization-code.js';
import { expiredRequestPage, readPageForm, seeOther } from '../page-form.js';
import { errorPageResponse, formTargetFor, pageResponse } from '../page-response.js';
import { renderConsentPage } from '../pages/index.js';
import type { ServerPaths } from '../paths.js';
import { findPendingAuthorization, takePendingAuthorization } from '../pending-authorization.js';

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
      if (handle === undefined || request === undefined) return expiredRequestPage();
      if (user === undefined) return seeOther(`${paths.login}?request=${handle}`);
      const client = await ctx.resolveClient(request.clientId).catch(() => undefined);
      if (client === undefined) return expiredRequestPage();
      if (await consentCovers(ctx, user.id, client.clientId, request.scope)) {
        if ((await takePendingAuthorization(ctx, handle)) === undefined) return expiredRequestPage();
        return seeOther(await issueAuthorizationCode(ctx, request, user.id));
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

    const posted = await readPageForm(ctx, c);
    if (posted instanceof Response) return posted;
    const { handle, fields: form } = posted;
    if (user === undefined) return seeOther(`${paths.login}?request=${handle}`);
    const decision = form['decision'];
    if (decision !== 'approve' && decision !== 'deny') return errorPageResponse(400, 'No decision was made', 'Choose Approve or Deny.', 'invalid_request');
    const request: AuthorizationRequest | undefined = await takePendingAuthorization(ctx, handle);
    if (request === undefined) return expiredRequestPage();

    if (decision === 'deny') {
      ctx.logger.info({ event: 'consent_denied', client_id: request.clientId, user_id: user.id }, 'user denied consent');
      return seeOther(authorizationResponseUrl(ctx, request.redirectUri, request.state, { error: 'access_denied', error_description: 'The user denied the request.' }));
    }
    await ctx.store.consents.grant(user.id, request.clientId, request.scope, nowSeconds(ctx.clock));
    ctx.logger.info({ event: 'consent_granted', client_id: request.clientId, user_id: user.id }, 'user approved client');
    return seeOther(await issueAuthorizationCode(ctx, request, user.id));
  };
}
