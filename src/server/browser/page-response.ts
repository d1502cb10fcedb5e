import { PAGE_STYLE_HASH } from './pages/index.js';

/**
 * Sends an HTML page with headers that keep it from being framed, sniffed, cached or leaking
 * its URL (docs/design.md invariant 8). `formTargets` are the origins a form on the page may end up
 * at after redirects: Chromium applies `form-action` to the redirect chain too.
 */
export function pageResponse(html: string, status = 200, formTargets: readonly string[] = [], setCookie: string | undefined = undefined): Response {
  const formAction = ["'self'", ...formTargets].join(' ');
  const headers = new Headers();
  if (setCookie !== undefined) headers.append('Set-Cookie', setCookie);
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src '${PAGE_STYLE_HASH}'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  headers.set('X-Frame-Options', 'DENY');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('Cache-Control', 'no-store');
  return new Response(html, { status, headers });
}

/** The CSP source for a redirect URI: its origin, or its scheme for a private-use scheme. */
export function formTargetFor(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}
