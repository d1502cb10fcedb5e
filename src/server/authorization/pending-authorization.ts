import { z } from 'zod';
import { hashSecret, randomSecret } from '../../core/secrets.js';
import { parseStoredJson } from '../../core/stored-json.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import type { AuthorizationRequest } from './authorization-request.js';

/**
 * A validated authorization request as it is stored (JSON, which drops an absent `state`): kept
 * while the user logs in and consents, and inside an upstream login attempt.
 */
export const storedAuthorizationRequestSchema: z.ZodType<AuthorizationRequest> = z
  .object({
    clientId: z.string(),
    redirectUri: z.string(),
    state: z.string().optional(),
    codeChallenge: z.string(),
    scope: z.array(z.string()),
    resource: z.string(),
    grantId: z.string().optional(),
  })
  .transform(({ grantId, ...request }) => ({ ...request, state: request.state, ...(grantId === undefined ? {} : { grantId }) }));

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
  return record === undefined ? undefined : storedRequest(ctx, record.params);
}

/** Removes the pending request and returns it: each request gets one decision. */
export async function takePendingAuthorization(ctx: ServerContext, handle: string): Promise<AuthorizationRequest | undefined> {
  const record = await ctx.store.pendingAuthorizations.take(hashSecret(handle), nowSeconds(ctx.clock));
  return record === undefined ? undefined : storedRequest(ctx, record.params);
}

/** The request a row holds; a row not of that shape is refused as an unknown request is. */
function storedRequest(ctx: ServerContext, params: string): AuthorizationRequest | undefined {
  const request = parseStoredJson(params, storedAuthorizationRequestSchema);
  if (request === undefined)
    ctx.logger.warn(
      { event: 'stored_row_invalid', table: 'authorization_requests' },
      'a pending authorization request is not of the stored shape; refused as unknown',
    );
  return request;
}
