import { html } from '../../../core/html.js';
import { renderLayout } from './layout.js';

export interface ErrorPageOptions {
  /** A short headline, e.g. "Unknown application". */
  title: string;
  /** What went wrong, in plain words, safe to show to anyone. */
  message: string;
  /** The OAuth error code, e.g. `invalid_client`, shown small for whoever reports the problem. */
  code?: string | undefined;
  /** A link that tells the application the sign-in failed (the redirect with `error`), and its name. */
  returnTo?: { href: string; clientName: string } | undefined;
}

/**
 * The page for authorization errors that must not be redirected: an unknown client or a redirect
 * URI that does not match, where sending the user on would hand the response to an attacker.
 * Shows only the public text and the code, never a stack trace or a private detail.
 * @see RFC 9700 §4.1.1, OAuth 2.1 §4.1.2.1
 */
export function renderErrorPage({ title, message, code, returnTo }: ErrorPageOptions): string {
  const body = html`<h1>${title}</h1>
<p>${message}</p>
${
  returnTo === undefined
    ? html`<p class="muted">Nothing was sent back to the application. You can close this window and try again from where you started.</p>`
    : html`<p><a class="button-primary" href="${returnTo.href}" rel="noreferrer">Return to <bdi>${returnTo.clientName}</bdi></a></p>
<p class="muted">The application is told that signing in did not work, and can let you try again.</p>`
}
${code ? html`<p class="muted error-code">Error code: <code>${code}</code></p>` : null}`;
  return renderLayout({ title, body });
}
