import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { serialize } from 'hono/utils/cookie';
import { constantTimeEqual } from '../../core/constant-time.js';
import { randomSecret } from '../../core/secrets.js';
import type { ServerContext } from '../context.js';

/**
 * Cookie names: `__Host-` on https, which pins them to this host, path `/` and Secure
 * (RFC 6265bis §4.1.3.2; docs/design.md invariant 8). Plain names on loopback http.
 */
function cookieName(ctx: ServerContext, base: string): string {
  return ctx.config.secureCookies ? `__Host-${base}` : base;
}

function cookieOptions(ctx: ServerContext, maxAgeSeconds?: number) {
  return {
    httpOnly: true,
    secure: ctx.config.secureCookies,
    sameSite: 'Lax' as const,
    path: '/',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

export function readSessionCookie(ctx: ServerContext, c: Context): string | undefined {
  return getCookie(c, cookieName(ctx, 'portcullis-session'));
}

/** The `Set-Cookie` value that stores a session id. */
export function sessionCookieHeader(ctx: ServerContext, sessionId: string): string {
  return serialize(cookieName(ctx, 'portcullis-session'), sessionId, cookieOptions(ctx, ctx.config.sessionTtlSeconds));
}

/**
 * The browser's CSRF secret, created on the first page that shows a form. Returns its value and,
 * when new, the `Set-Cookie` header value to send with the page.
 */
export function ensureCsrfCookie(ctx: ServerContext, c: Context): { value: string; setCookie: string | undefined } {
  const name = cookieName(ctx, 'portcullis-csrf');
  const existing = getCookie(c, name);
  if (existing !== undefined && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { value: existing, setCookie: undefined };
  const value = randomSecret(32);
  return { value, setCookie: serialize(name, value, cookieOptions(ctx)) };
}

/**
 * The CSRF token of a form: an HMAC of the browser's CSRF cookie and the pending request, so a
 * token cannot be made without the cookie nor reused for another request (signed double-submit).
 */
export function csrfTokenFor(ctx: ServerContext, csrfCookie: string, requestHandle: string): string {
  return createHmac('sha256', ctx.keyring.deriveKey('csrf')).update(`${csrfCookie}\n${requestHandle}`).digest('base64url');
}

export function isCsrfTokenValid(ctx: ServerContext, c: Context, requestHandle: string, presented: string | undefined): boolean {
  const cookie = getCookie(c, cookieName(ctx, 'portcullis-csrf'));
  if (cookie === undefined || presented === undefined) return false;
  return constantTimeEqual(presented, csrfTokenFor(ctx, cookie, requestHandle));
}

/**
 * The cookie that binds an upstream sign-in attempt to the browser that started it (RFC 9700
 * §4.7.1): a callback carrying a `state` that this browser did not start — an attacker's own,
 * fed to a victim to sign them in as the attacker — finds no cookie. Named after the state, so
 * attempts in several tabs do not overwrite each other. SameSite=Lax still sends it on the
 * provider's top-level redirect back.
 */
function upstreamCookieName(ctx: ServerContext, stateHash: string): string {
  return cookieName(ctx, `portcullis-upstream-${stateHash.slice(0, 16)}`);
}

export function upstreamBindingCookieHeader(ctx: ServerContext, stateHash: string, value: string, maxAgeSeconds: number): string {
  return serialize(upstreamCookieName(ctx, stateHash), value, cookieOptions(ctx, maxAgeSeconds));
}

export function readUpstreamBindingCookie(ctx: ServerContext, c: Context, stateHash: string): string | undefined {
  return getCookie(c, upstreamCookieName(ctx, stateHash));
}

export function clearUpstreamBindingCookieHeader(ctx: ServerContext, stateHash: string): string {
  return serialize(upstreamCookieName(ctx, stateHash), '', cookieOptions(ctx, 0));
}
