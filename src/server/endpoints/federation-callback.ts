import type { Context } from 'hono';
import { hashSecret, randomIdentifier } from '../../core/secrets.js';
import { consentCovers } from '../authorization/consent-rules.js';
import { issueAuthorizationCode } from '../authorization/issue-authorization-code.js';
import { savePendingAuthorization } from '../authorization/pending-authorization.js';
import { clearUpstreamBindingCookieHeader, readUpstreamBindingCookie } from '../browser/cookies.js';
import { startSession } from '../browser/session.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { accessRefusal, scopesAllowedByClaims } from '../federation/access-policy.js';
import { federatedUsername, NO_PASSWORD } from '../federation/federated-user.js';
import { UpstreamError } from '../federation/upstream-error.js';
import { accountRefusedResponse, upstreamFailureResponse } from '../federation/upstream-failure.js';
import { takeUpstreamLogin } from '../federation/upstream-login.js';
import type { UpstreamProvider, UpstreamTokenSet } from '../federation/upstream-provider.js';
import { revokeAtProvider, saveUpstreamTokens } from '../federation/upstream-tokens.js';
import { authorizationErrorRedirect } from '../http/authorization-error-response.js';
import { errorPageResponse } from '../http/error-page-response.js';
import { redirectResponse } from '../http/redirect.js';
import { requestAddress } from '../http/request-address.js';
import type { ServerPaths } from '../paths.js';

const invalidResponsePage = () =>
  errorPageResponse(
    400,
    'This sign-in response is not valid',
    'It is unknown, expired, was already used, or was started in another browser. Go back to the application and sign in again.',
    'invalid_request',
  );

/** One `upstream_login_failed` event: `reason` is a fixed word, `detail` never holds what the provider sent back. */
function recordUpstreamFailure(ctx: ServerContext, c: Context, providerId: string, reason: string, clientId: string | null = null): Promise<void> {
  const address = requestAddress(c, ctx.config.trustProxy);
  return ctx.events.record({ type: 'upstream_login_failed', clientId, address, outcome: 'refused', detail: { provider: providerId, reason } });
}

/**
 * The redirect back from upstream provider `:provider` (one callback URL per provider). In order:
 * 1. the `state` must name an attempt this server stored (so one the user consented to), not
 *    used before, under 10 minutes old, started by this browser (binding cookie) and for this
 *    provider — else a page, never a redirect: nothing in the request can be trusted yet;
 * 2. oauth4webapi checks `iss` (RFC 9207), `state`, redeems the code with the PKCE verifier and,
 *    for OpenID Connect, checks the ID token (`iss`, `aud`, `exp`, `nonce`);
 * 3. the access rules (domains, subjects, claims) and scope rules apply;
 * 4. the user is found or created and signed in here; the consent is recorded (approved during
 *    this attempt) or checked again for whoever signed in (remembered), and the upstream tokens
 *    are sealed for the grant the code will make.
 */
export function federationCallbackEndpoint(ctx: ServerContext, paths: ServerPaths) {
  return async (c: Context): Promise<Response> => {
    const provider = ctx.federation?.providers.get(c.req.param('provider') ?? '');
    if (provider === undefined) return errorPageResponse(404, 'Unknown identity provider', 'There is no identity provider at this address.', 'invalid_request');
    const callback = new URL(c.req.url).searchParams;
    const taken = await takeCallbackAttempt(ctx, c, provider, callback);
    if (taken instanceof Response) return taken;
    const { saved, stateHash } = taken;
    const { request } = saved;
    const client = await ctx.resolveClient(request.clientId).catch(() => undefined);
    if (client === undefined) return invalidResponsePage();
    const clientName = client.clientName ?? 'the application';
    const providerName = provider.config.name;
    const clearBinding = clearUpstreamBindingCookieHeader(ctx, stateHash);
    const withCookies = (response: Response, ...cookies: string[]) => {
      for (const cookie of [clearBinding, ...cookies]) response.headers.append('Set-Cookie', cookie);
      return response;
    };
    if (taken.providerId !== provider.config.id) {
      // A response delivered to another provider's callback: a mix-up (RFC 9700 §4.4).
      await recordUpstreamFailure(ctx, c, provider.config.id, 'mix_up', request.clientId);
      return withCookies(
        upstreamFailureResponse(
          ctx,
          request,
          clientName,
          providerName,
          new UpstreamError('invalid_response', `state of ${taken.providerId} at the callback of ${provider.config.id}`),
        ),
      );
    }

    let signedIn: Awaited<ReturnType<UpstreamProvider['finish']>>;
    try {
      signedIn = await provider.finish(callback, saved.attempt);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      await recordUpstreamFailure(ctx, c, provider.config.id, error.failure, request.clientId);
      return withCookies(upstreamFailureResponse(ctx, request, clientName, providerName, error));
    }
    const { identity, tokens } = signedIn;
    const shownAs = identity.email ?? identity.name ?? identity.subject;
    const refusal = accessRefusal(provider.config.access, identity);
    if (refusal !== undefined) {
      ctx.logger.info({ event: 'upstream_account_refused', provider: provider.config.id, detail: refusal }, 'account not allowed');
      await recordUpstreamFailure(ctx, c, provider.config.id, 'account_not_allowed', request.clientId);
      void revokeQuietly(ctx, provider, tokens);
      return withCookies(accountRefusedResponse(ctx, request, clientName, providerName, shownAs));
    }

    const now = nowSeconds(ctx.clock);
    const { userId, created } = await ctx.store.federation.signIn(
      { providerId: provider.config.id, subject: identity.subject, email: identity.email ?? null, displayName: identity.name ?? null },
      { id: randomIdentifier(12), username: federatedUsername(provider.config.id, identity.subject), passwordHash: NO_PASSWORD, createdAt: now },
      now,
    );
    ctx.logger.info({ event: 'upstream_login', provider: provider.config.id, user_id: userId, created }, 'user signed in upstream');
    const sessionCookie = await startSession(ctx, c, userId);

    const scope = scopesAllowedByClaims(provider.config.scopeRules, identity, request.scope);
    if (scope.length === 0 && request.scope.length > 0) {
      ctx.logger.info({ event: 'scopes_withheld', provider: provider.config.id, user_id: userId }, 'no requested scope allowed by claims');
      void revokeQuietly(ctx, provider, tokens);
      return withCookies(authorizationErrorRedirect(ctx, request, 'access_denied', 'The account may not have any of the requested scopes.'), sessionCookie);
    }
    const grantId = randomIdentifier(16);
    await saveUpstreamTokens(ctx, { grantId, providerId: provider.config.id, userId }, tokens);
    const granted = { ...request, scope, grantId };
    if (saved.consent === 'approved') {
      await ctx.store.consents.grant(userId, request.clientId, scope, now);
      await ctx.events.record({ type: 'consent_granted', userId, clientId: request.clientId, outcome: 'granted', detail: { scope: scope.join(' ') } });
    } else if (!(await consentCovers(ctx, userId, request.clientId, scope))) {
      // The consent remembered was another user's: whoever signed in now decides for themselves.
      const handle = await savePendingAuthorization(ctx, granted);
      return withCookies(redirectResponse(`${paths.consent}?request=${handle}`), sessionCookie);
    }
    return withCookies(redirectResponse(await issueAuthorizationCode(ctx, granted, userId)), sessionCookie);
  };
}

/** Step 1: the stored attempt this callback's `state` names, started by this browser; else the page to show. */
async function takeCallbackAttempt(ctx: ServerContext, c: Context, provider: UpstreamProvider, callback: URLSearchParams) {
  const state = callback.get('state');
  if (state === null || state === '' || state.length > 512 || callback.getAll('state').length > 1) return invalidResponsePage();
  const taken = await takeUpstreamLogin(ctx, state);
  if (taken === undefined) {
    // Unknown, used or expired.
    await recordUpstreamFailure(ctx, c, provider.config.id, 'unknown_state');
    return invalidResponsePage();
  }
  const binding = readUpstreamBindingCookie(ctx, c, taken.stateHash);
  if (binding === undefined || hashSecret(binding) !== taken.saved.bindingHash) {
    await recordUpstreamFailure(ctx, c, provider.config.id, 'other_browser');
    return invalidResponsePage();
  }
  return taken;
}

/** Hands back upstream tokens Portcullis will not use; a failure only costs their natural expiry. */
async function revokeQuietly(ctx: ServerContext, provider: UpstreamProvider, tokens: UpstreamTokenSet): Promise<void> {
  try {
    await revokeAtProvider(provider, tokens);
  } catch (error) {
    ctx.logger.warn(
      { event: 'upstream_revoke_failed', provider: provider.config.id, detail: error instanceof UpstreamError ? error.detail : String(error) },
      'revoking unused upstream tokens failed',
    );
  }
}
