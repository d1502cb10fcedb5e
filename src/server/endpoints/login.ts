import type { Context } from 'hono';
import type { AuthorizationRequest } from '../authorization/authorization-request.js';
import { findPendingAuthorization } from '../authorization/pending-authorization.js';
import { csrfTokenFor, ensureCsrfCookie } from '../browser/cookies.js';
import { expiredRequestPage, readPageForm } from '../browser/page-form.js';
import { formTargetFor, pageResponse } from '../browser/page-response.js';
import { renderLoginPage } from '../browser/pages/index.js';
import { DECOY_PASSWORD_HASH, verifyPassword } from '../browser/password-hash.js';
import { currentUser, startSession } from '../browser/session.js';
import type { ServerContext } from '../context.js';
import { NO_PASSWORD } from '../federation/federated-user.js';
import { errorPageResponse } from '../http/error-page-response.js';
import { redirectResponse } from '../http/redirect.js';
import { requestAddress } from '../http/request-address.js';
import type { ServerPaths } from '../paths.js';

async function renderLogin(
  ctx: ServerContext,
  c: Context,
  paths: ServerPaths,
  handle: string,
  request: AuthorizationRequest,
  status: number,
  problem?: { username: string; error: string },
): Promise<Response> {
  const client = await ctx.resolveClient(request.clientId).catch(() => undefined);
  if (client === undefined) return expiredRequestPage();
  const csrf = ensureCsrfCookie(ctx, c);
  const html = renderLoginPage({
    action: paths.login,
    hiddenFields: { request: handle, csrf_token: csrfTokenFor(ctx, csrf.value, handle) },
    clientName: client.clientName,
    clientId: client.clientId,
    redirectHost: new URL(request.redirectUri).host || new URL(request.redirectUri).protocol,
    username: problem?.username,
    error: problem?.error,
    providers: [...(ctx.federation?.providers.values() ?? [])].map((p) => ({ id: p.config.id, name: p.config.name })),
    localUsers: ctx.federation?.localUsers ?? true,
  });
  return pageResponse(html, status, [formTargetFor(request.redirectUri)], csrf.setCookie);
}

/**
 * The login page (GET) and its forms (POST): local users with scrypt passwords, rate-limited, and
 * a button per upstream provider, which leads to the consent page first: the user approves the
 * MCP client before being sent upstream (MCP Security Best Practices, "Confused Deputy Problem").
 */
export function loginEndpoint(ctx: ServerContext, paths: ServerPaths) {
  return async (c: Context): Promise<Response> => {
    if (c.req.method === 'GET') {
      const handle = c.req.query('request');
      const request = await findPendingAuthorization(ctx, handle);
      if (handle === undefined || request === undefined) return expiredRequestPage();
      if ((await currentUser(ctx, c)) !== undefined) return redirectResponse(`${paths.consent}?request=${handle}`);
      return renderLogin(ctx, c, paths, handle, request, 200);
    }

    const posted = await readPageForm(ctx, c);
    if (posted instanceof Response) return posted;
    const { handle, fields: form } = posted;
    const request = await findPendingAuthorization(ctx, handle);
    if (request === undefined) return expiredRequestPage();
    if (form['provider'] !== undefined) {
      if (ctx.federation?.providers.get(form['provider']) === undefined)
        return errorPageResponse(400, 'Unknown identity provider', 'Choose one of the sign-in buttons.', 'invalid_request');
      return redirectResponse(`${paths.consent}?request=${handle}&provider=${encodeURIComponent(form['provider'])}`);
    }
    if (ctx.federation !== undefined && !ctx.federation.localUsers) {
      return errorPageResponse(400, 'Password sign-in is not offered', 'Use one of the sign-in buttons.', 'invalid_request');
    }

    const username = (form['username'] ?? '').trim().slice(0, 200);
    const password = (form['password'] ?? '').slice(0, 1024);
    const address = requestAddress(c, ctx.config.trustProxy);
    const userKey = `${username.toLowerCase()}\n${address}`;
    const { loginPerUser, loginPerAddress } = ctx.limiters;
    // The per-user count is taken before the password is checked, atomically, so a burst of
    // guesses spread over instances gets exactly the limit; a success forgets it. The per-address
    // limit is coarse (shared addresses): only failures count.
    const [perUser, perAddress] = await Promise.all([loginPerUser.take(userKey), loginPerAddress.check(address)]);
    if (!perUser.allowed || !perAddress.allowed) {
      const wait = Math.max(perUser.retryAfterSeconds, perAddress.retryAfterSeconds);
      const locked = username === '' ? undefined : await ctx.store.users.findByUsername(username);
      await ctx.events.record({
        type: 'login_locked',
        userId: locked?.id ?? null,
        address,
        outcome: 'refused',
        detail: { limit: perUser.allowed ? 'address' : 'user' },
      });
      const response = await renderLogin(ctx, c, paths, handle, request, 429, {
        username,
        error: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`,
      });
      response.headers.set('Retry-After', String(wait));
      return response;
    }

    const user = username === '' ? undefined : await ctx.store.users.findByUsername(username);
    // Verify against a decoy when the user is unknown, so timing does not tell which names exist.
    // A federated user has no password: checked against the decoy, so it looks like a wrong one.
    const hasPassword = user !== undefined && user.passwordHash !== NO_PASSWORD;
    const valid = await verifyPassword(password, hasPassword ? user.passwordHash : DECOY_PASSWORD_HASH);
    if (user === undefined || !hasPassword || !valid) {
      await loginPerAddress.hit(address);
      // The name typed is not recorded: people type their password into it.
      await ctx.events.record({
        type: 'login_failed',
        userId: user?.id ?? null,
        address,
        outcome: 'refused',
        detail: { known_user: user !== undefined },
      });
      return renderLogin(ctx, c, paths, handle, request, 401, { username, error: 'Wrong username or password.' });
    }
    await loginPerUser.reset(userKey);
    const sessionCookie = await startSession(ctx, c, user.id);
    ctx.logger.info({ event: 'login', user_id: user.id }, 'user signed in');
    const response = redirectResponse(`${paths.consent}?request=${handle}`);
    response.headers.append('Set-Cookie', sessionCookie);
    return response;
  };
}
