import { z } from 'zod';
import { hashSecret, randomSecret } from '../../core/secrets.js';
import { parseStoredJson } from '../../core/stored-json.js';
import type { AuthorizationRequest } from '../authorization/authorization-request.js';
import { storedAuthorizationRequestSchema } from '../authorization/pending-authorization.js';
import { upstreamBindingCookieHeader } from '../browser/cookies.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { redirectResponse } from '../http/redirect.js';
import { UpstreamError } from './upstream-error.js';
import { upstreamFailureResponse } from './upstream-failure.js';
import type { UpstreamAttempt, UpstreamProvider } from './upstream-provider.js';

/** An attempt lives 10 minutes (docs/federation.md, "What happens"; OAuth 2.1 §4.1.2 bounds codes the same way). */
export const UPSTREAM_LOGIN_TTL_SECONDS = 600;
const SEAL_CONTEXT = 'upstream-login';

/**
 * What is kept, sealed, between the redirect to the provider and its callback.
 * `consent`: `approved` when the user approved the MCP client on our consent page during this
 * attempt (recorded for whoever signs in), `remembered` when the signed-in user had approved it
 * before (checked again for whoever signs in).
 */
export interface UpstreamLoginState {
  request: AuthorizationRequest;
  attempt: UpstreamAttempt;
  consent: 'approved' | 'remembered';
  /** SHA-256 of the value of the browser-binding cookie. */
  bindingHash: string;
}

/** `UpstreamLoginState` as it is sealed (JSON, which drops an absent `nonce`). */
const storedLoginStateSchema: z.ZodType<UpstreamLoginState> = z.object({
  request: storedAuthorizationRequestSchema,
  attempt: z
    .object({ state: z.string(), nonce: z.string().optional(), codeVerifier: z.string() })
    .transform((attempt) => ({ ...attempt, nonce: attempt.nonce })),
  consent: z.enum(['approved', 'remembered']),
  bindingHash: z.string(),
});

/**
 * Sends the browser to the provider. Called only once the user has consented to the MCP client
 * (MCP Security Best Practices, "Confused Deputy Problem"): the `state` exists only from here on,
 * so no callback can be accepted for a client the user never approved. Stores the attempt under
 * the hash of its `state`, single-use, for 10 minutes. Throws UpstreamError when the provider's
 * discovery document cannot be had.
 */
export async function startUpstreamLogin(
  ctx: ServerContext,
  provider: UpstreamProvider,
  request: AuthorizationRequest,
  consent: UpstreamLoginState['consent'],
): Promise<Response> {
  const attempt = provider.newAttempt();
  const location = await provider.authorizationUrl(attempt);
  const binding = randomSecret(24);
  const stateHash = hashSecret(attempt.state);
  const state: UpstreamLoginState = { request, attempt, consent, bindingHash: hashSecret(binding) };
  const now = nowSeconds(ctx.clock);
  await ctx.store.federation.createLogin({
    stateHash,
    providerId: provider.config.id,
    sealed: ctx.keyring.seal(JSON.stringify(state), SEAL_CONTEXT),
    createdAt: now,
    expiresAt: now + UPSTREAM_LOGIN_TTL_SECONDS,
  });
  ctx.logger.info({ event: 'upstream_login_started', provider: provider.config.id, client_id: request.clientId }, 'sent to the identity provider');
  const response = redirectResponse(location.href);
  response.headers.append('Set-Cookie', upstreamBindingCookieHeader(ctx, stateHash, binding, UPSTREAM_LOGIN_TTL_SECONDS));
  return response;
}

/** Takes the attempt a callback's `state` names: once, within its 10 minutes, or undefined. */
export async function takeUpstreamLogin(
  ctx: ServerContext,
  state: string,
): Promise<{ providerId: string; stateHash: string; saved: UpstreamLoginState } | undefined> {
  const stateHash = hashSecret(state);
  const record = await ctx.store.federation.takeLogin(stateHash, nowSeconds(ctx.clock));
  if (record === undefined) return undefined;
  const saved = parseStoredJson(ctx.keyring.open(record.sealed, SEAL_CONTEXT), storedLoginStateSchema);
  if (saved === undefined) {
    // Refused as an unknown `state` is: the attempt is gone (taken) either way.
    ctx.logger.warn({ event: 'stored_row_invalid', table: 'upstream_logins' }, 'an upstream login attempt is not of the stored shape; refused as unknown');
    return undefined;
  }
  return { providerId: record.providerId, stateHash, saved };
}

/** `startUpstreamLogin`, or the page (and the error for the client) when the provider cannot be reached. */
export async function redirectUpstream(
  ctx: ServerContext,
  provider: UpstreamProvider,
  request: AuthorizationRequest,
  consent: UpstreamLoginState['consent'],
): Promise<Response> {
  try {
    return await startUpstreamLogin(ctx, provider, request, consent);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    const client = await ctx.resolveClient(request.clientId).catch(() => undefined);
    return upstreamFailureResponse(ctx, request, client?.clientName ?? 'the application', provider.config.name, error);
  }
}
