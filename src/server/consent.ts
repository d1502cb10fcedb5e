import { isScopeSubset } from '../core/scopes.js';
import type { ServerContext } from './context.js';

/** Whether the user already approved this client for every scope asked (remembered consent). */
export async function consentCovers(ctx: ServerContext, userId: string, clientId: string, scope: readonly string[]): Promise<boolean> {
  const consent = await ctx.store.consents.find(userId, clientId);
  return consent !== undefined && isScopeSubset(scope, consent.scope);
}
