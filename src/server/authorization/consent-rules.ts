import { isScopeSubset } from '../../core/scopes.js';
import type { ServerContext } from '../context.js';

/** Whether a remembered consent (if any) covers every scope asked. */
export function consentCoversScope(consent: { scope: readonly string[] } | undefined, scope: readonly string[]): boolean {
  return consent !== undefined && isScopeSubset(scope, consent.scope);
}

/** Whether the user already approved this client for every scope asked (remembered consent). */
export async function consentCovers(ctx: ServerContext, userId: string, clientId: string, scope: readonly string[]): Promise<boolean> {
  return consentCoversScope(await ctx.store.consents.find(userId, clientId), scope);
}
