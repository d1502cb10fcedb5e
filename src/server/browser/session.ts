import type { Context } from 'hono';
import { hashSecret, randomSecret } from '../../core/secrets.js';
import type { UserRecord } from '../../store/types.js';
import { nowSeconds } from '../clock.js';
import type { ServerContext } from '../context.js';
import { readSessionCookie, sessionCookieHeader } from './cookies.js';

/** The signed-in user of this browser, if any. */
export async function currentUser(ctx: ServerContext, c: Context): Promise<UserRecord | undefined> {
  const id = readSessionCookie(ctx, c);
  if (id === undefined) return undefined;
  const session = await ctx.store.sessions.find(hashSecret(id), nowSeconds(ctx.clock));
  return session === undefined ? undefined : ctx.store.users.findById(session.userId);
}

/**
 * Starts a fresh session after login; any previous session id is dropped (no session fixation).
 * Returns the `Set-Cookie` header value to send.
 */
export async function startSession(ctx: ServerContext, c: Context, userId: string): Promise<string> {
  const previous = readSessionCookie(ctx, c);
  if (previous !== undefined) await ctx.store.sessions.remove(hashSecret(previous));
  const id = randomSecret(32);
  const now = nowSeconds(ctx.clock);
  await ctx.store.sessions.create({ idHash: hashSecret(id), userId, createdAt: now, expiresAt: now + ctx.config.sessionTtlSeconds });
  return sessionCookieHeader(ctx, id);
}
