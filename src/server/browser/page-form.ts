import type { Context } from 'hono';
import { OAuthError } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { errorPageResponse } from '../http/error-page-response.js';
import { readFormBody } from '../http/form-parameters.js';
import { isCsrfTokenValid } from './cookies.js';

/** A posted login or consent form, with the pending-request handle its CSRF token is bound to. */
export interface PageForm {
  handle: string;
  fields: Record<string, string>;
}

/**
 * Reads a form posted by the login or consent page and checks its CSRF token (docs/design.md
 * invariant 8). Returns the form, or the error page to answer with.
 */
export async function readPageForm(ctx: ServerContext, c: Context): Promise<PageForm | Response> {
  let fields: Record<string, string>;
  try {
    fields = await readFormBody(c.req.raw);
  } catch (error) {
    return errorPageResponse(400, 'This form could not be read', error instanceof OAuthError ? error.description : 'Bad request.', 'invalid_request');
  }
  const handle = fields['request'] ?? '';
  if (!isCsrfTokenValid(ctx, c, handle, fields['csrf_token'])) {
    return errorPageResponse(403, 'This form has expired', 'Go back to the application and start signing in again.', 'invalid_request');
  }
  return { handle, fields };
}

/** The page shown when a pending request is unknown, used or expired. */
export const expiredRequestPage = () =>
  errorPageResponse(400, 'This sign-in link has expired', 'Go back to the application and start signing in again.', 'invalid_request');
