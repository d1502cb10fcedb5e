import type { ServerContext } from '../context.js';
import type { UpstreamProvider } from './upstream-provider.js';

/** The username given to a user created by an upstream sign-in; local sign-in never matches it. */
export const federatedUsername = (providerId: string, subject: string) => `${providerId}:${subject}`;

/** Stored as such a user's password hash: no scrypt hash, so no password ever verifies. */
export const NO_PASSWORD = '!federated';

/**
 * The provider a user signs in with, if they are a federated user whose provider is still
 * configured. Such a user goes upstream on every authorization, so each grant gets fresh upstream
 * tokens and an account disabled upstream stops getting in.
 */
export async function providerOfUser(ctx: ServerContext, userId: string): Promise<UpstreamProvider | undefined> {
  if (ctx.federation === undefined) return undefined;
  const identity = await ctx.store.federation.findIdentityOfUser(userId);
  return identity === undefined ? undefined : ctx.federation.providers.get(identity.providerId);
}
