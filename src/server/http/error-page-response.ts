import type { OAuthError } from '../../core/errors.js';
import { pageResponse } from '../browser/page-response.js';
import { renderErrorPage } from '../browser/pages/index.js';

/**
 * An error shown to the person in the browser as a page (with the page headers of
 * `pageResponse`): for a refusal that must not be redirected (RFC 6749 §4.1.2.1: an invalid
 * client or redirect URI), or a sign-in step that cannot go on. `returnTo` is a link back to the
 * client with the error, when its redirect URI was validated.
 * @see RFC 6749 §4.1.2.1; RFC 9700 §4.11.2
 */
export function errorPageResponse(status: number, title: string, message: string, code?: string, returnTo?: { href: string; clientName: string }): Response {
  return pageResponse(renderErrorPage({ title, message, code, returnTo }), status);
}

/**
 * The error page for an error a page handler threw. The one status rule of such pages: a server
 * failure keeps its status (500, or 503 for one that may pass), so the person knows to try
 * again later; anything else is the request's fault, 400.
 * @see RFC 9110 §15.5.1, §15.6
 */
export function thrownErrorPageResponse(error: OAuthError, title: string): Response {
  return errorPageResponse(error.status >= 500 ? error.status : 400, title, error.description, error.code);
}
