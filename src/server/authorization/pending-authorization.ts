import { hashSecret, randomSecret } from '../../core/secrets.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';

/**
 * Keeps a validated authorization request while the user logs in and consents; the page URLs
 * carry a random handle, the store only its hash. Returns the handle.
 */
export async function savePendingAuthorization(ctx: ServerContext, request: AuthorizationRequest): Promise<string> {
  const handle = randomSecret(24);
  const now = nowSeconds(ctx.clock);
  await ctx.store.pendingAuthorizations.create({
    idHash: hashSecret(handle),
    clientId: request.clientId,
    params: JSON.stringify(request),
    createdAt: now,
    expiresAt: now + ctx.config.pendingAuthorizationTtlSeconds,
  });
  return handle;
}

export async function findPendingAuthorization(ctx: ServerContext, handle: string | undefined): Promise<AuthorizationRequest | undefined> {
  if (handle === undefined || !/^[A-Za-z0-9_-]{32}$/.test(handle)) return undefined;
  const record = await ctx.store.pendingAuthorizations.find(hashSecret(handle), nowSeconds(ctx.clock));
  return record === undefined ? undefined : (JSON.parse(record.params) as AuthorizationRequest);
}

/** Removes the pending request and returns it: each request gets one decision. */
export async function takePendingAuthorization(ctx: ServerContext, handle: string): Promise<AuthorizationRequest | undefined> {
  const record = await ctx.store.pendingAuthorizations.take(hashSecret(handle), nowSeconds(ctx.clock));
  return record === undefined ? undefined : (JSON.parse(record.params) as AuthorizationRequest);
}
