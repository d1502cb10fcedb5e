import type { Context } from 'hono';
import { findResource } from '../../core/resource-uri.js';
import type { UserRecord } from '../../store/types.js';
import type { AuthorizationRequest } from '../authorization/authorization-request.js';
import { consentCoversScope } from '../authorization/consent-rules.js';
import { issueAuthorizationCode } from '../authorization/issue-authorization-code.js';
import { findPendingAuthorization, takePendingAuthorization } from '../authorization/pending-authorization.js';
import { csrfTokenFor, ensureCsrfCookie } from '../browser/cookies.js';
import { expiredRequestPage, readPageForm } from '../browser/page-form.js';
import { formTargetFor, pageResponse } from '../browser/page-response.js';
import { type ConsentScope, renderConsentPage } from '../browser/pages/index.js';
import { currentUser } from '../browser/session.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { providerOfUser } from '../federation/federated-user.js';
import { redirectUpstream } from '../federation/upstream-login.js';
import type { UpstreamProvider } from '../federation/upstream-provider.js';
import { authorizationErrorRedirect } from '../http/authorization-error-response.js';
import { errorPageResponse } from '../http/error-page-response.js';
import { redirectResponse } from '../http/redirect.js';
import type { ServerPaths } from '../paths.js';

/**
 * The consent page (GET) and decision (POST). The user approves each client by name, id and
 * redirect host before a code is issued (MCP security best practices, confused deputy); an
 * approval is remembered per user, client and scope set. `deny` returns `access_denied`.
 *
 * With an upstream provider, the approval comes before the user is sent upstream — for a user not
 * yet signed in here (who chose a provider on the login page) and for a federated user alike —
 * so that a client the user never approved cannot ride a session the user has at the provider.
 * A request that comes back from the provider (it carries `grantId`) is not sent upstream again.
 */
export function consentEndpoint(ctx: ServerContext, paths: ServerPaths) {
  return async (c: Context): Promise<Response> => {
    const user = await currentUser(ctx, c);
    return c.req.method === 'GET' ? showConsent(ctx, paths, c, user) : decideConsent(ctx, paths, c, user);
  };
}
/** The provider this request still has to go through, if any. */
async function upstreamFor(
  ctx: ServerContext,
  request: AuthorizationRequest,
  userId: string | undefined,
  chosen: string | undefined,
): Promise<UpstreamProvider | undefined> {
  if (request.grantId !== undefined || ctx.federation === undefined) return undefined;
  if (userId !== undefined) return providerOfUser(ctx, userId);
  return chosen === undefined ? undefined : ctx.federation.providers.get(chosen);
}

/**
 * Whom an approval is for: whoever signs in at the provider the request still goes through,
 * else the user signed in here; undefined when neither (the user must log in first).
 */
async function approverFor(
  ctx: ServerContext,
  request: AuthorizationRequest,
  user: UserRecord | undefined,
  chosen: string | undefined,
): Promise<{ upstream: UpstreamProvider } | { user: UserRecord } | undefined> {
  const upstream = await upstreamFor(ctx, request, user?.id, chosen);
  if (upstream !== undefined) return { upstream };
  return user === undefined ? undefined : { user };
}

/** GET: the page, or straight on when this user already approved this client for these scopes. */
async function showConsent(ctx: ServerContext, paths: ServerPaths, c: Context, user: UserRecord | undefined): Promise<Response> {
  const handle = c.req.query('request');
  const request = await findPendingAuthorization(ctx, handle);
  if (handle === undefined || request === undefined) return expiredRequestPage();
  const upstream = await upstreamFor(ctx, request, user?.id, c.req.query('provider'));
  if (user === undefined && upstream === undefined) return redirectResponse(`${paths.login}?request=${handle}`);
  const client = await ctx.resolveClient(request.clientId).catch(() => undefined);
  if (client === undefined) return expiredRequestPage();
  // Read once: it decides whether the page is needed, and which scopes on it are new.
  const consent = user === undefined ? undefined : await ctx.store.consents.find(user.id, client.clientId);
  if (user !== undefined && consentCoversScope(consent, request.scope)) {
    if ((await takePendingAuthorization(ctx, handle)) === undefined) return expiredRequestPage();
    if (upstream !== undefined) return redirectUpstream(ctx, upstream, request, 'remembered');
    return redirectResponse(await issueAuthorizationCode(ctx, request, user.id));
  }
  const csrf = ensureCsrfCookie(ctx, c);
  const html = renderConsentPage({
    action: paths.consent,
    hiddenFields: {
      request: handle,
      csrf_token: csrfTokenFor(ctx, csrf.value, handle),
      ...(user === undefined && upstream !== undefined ? { provider: upstream.config.id } : {}),
    },
    clientName: client.clientName,
    clientId: client.clientId,
    clientUri: typeof client.metadata['client_uri'] === 'string' ? client.metadata['client_uri'] : null,
    redirectHost: new URL(request.redirectUri).host || new URL(request.redirectUri).protocol,
    resource: request.resource,
    resourceName: resourceNameOf(ctx, request.resource),
    scopes: scopesToShow(ctx, request.scope, consent),
    username: user?.username ?? null,
    signInWith: upstream?.config.name,
    isDynamicallyRegistered: client.source !== 'static',
  });
  // The approve button may lead to the provider, which then redirects to the client.
  const upstreamOrigin = upstream === undefined ? undefined : await upstream.authorizationOrigin().catch(() => undefined);
  const targets = [formTargetFor(request.redirectUri), ...(upstreamOrigin !== undefined ? [upstreamOrigin] : [])];
  return pageResponse(html, 200, targets, csrf.setCookie);
}

/** POST: the user's decision, checked against the CSRF token the page carried. */
async function decideConsent(ctx: ServerContext, paths: ServerPaths, c: Context, user: UserRecord | undefined): Promise<Response> {
  const posted = await readPageForm(ctx, c);
  if (posted instanceof Response) return posted;
  const { handle, fields: form } = posted;
  const decision = form['decision'];
  if (decision !== 'approve' && decision !== 'deny') return errorPageResponse(400, 'No decision was made', 'Choose Approve or Deny.', 'invalid_request');
  const pending = await findPendingAuthorization(ctx, handle);
  if (pending === undefined) return expiredRequestPage();
  const approver = await approverFor(ctx, pending, user, form['provider']);
  if (approver === undefined) return redirectResponse(`${paths.login}?request=${handle}`);
  const request: AuthorizationRequest | undefined = await takePendingAuthorization(ctx, handle);
  if (request === undefined) return expiredRequestPage();

  if (decision === 'deny') {
    ctx.logger.info({ event: 'consent_denied', client_id: request.clientId, user_id: user?.id }, 'user denied consent');
    return authorizationErrorRedirect(ctx, request, 'access_denied', 'The user denied the request.');
  }
  if ('upstream' in approver) {
    // Recorded for whoever signs in upstream, when the callback knows who that is.
    return redirectUpstream(ctx, approver.upstream, request, 'approved');
  }
  await ctx.store.consents.grant(approver.user.id, request.clientId, request.scope, nowSeconds(ctx.clock));
  await ctx.events.record({
    type: 'consent_granted',
    userId: approver.user.id,
    clientId: request.clientId,
    outcome: 'granted',
    detail: { scope: request.scope.join(' ') },
  });
  return redirectResponse(await issueAuthorizationCode(ctx, request, approver.user.id));
}

/** The configured name of the resource (`gateway.resourceName`), unless it is only its URL. */
function resourceNameOf(ctx: ServerContext, resource: string): string | undefined {
  const name = findResource(ctx.config, resource)?.name;
  return name === undefined || name === resource ? undefined : name;
}

/**
 * The scopes asked for, with their descriptions. When the user approved this client before, the
 * page is a step-up: each scope not approved then is marked new, so the user sees what changes.
 */
function scopesToShow(ctx: ServerContext, scope: readonly string[], previous: { scope: readonly string[] } | undefined): ConsentScope[] {
  const approved = new Set(previous?.scope ?? []);
  return scope.map((name) => ({ name, description: ctx.config.scopes[name] ?? '', ...(previous !== undefined ? { isNew: !approved.has(name) } : {}) }));
}
