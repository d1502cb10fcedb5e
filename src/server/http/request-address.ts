import type { Context } from 'hono';

/**
 * The client's address for rate limits: the socket's peer, or the first X-Forwarded-For entry
 * when the operator said a proxy they run sits in front (`trustProxy`).
 */
export function requestAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
