import type { Context } from 'hono';
import { AuthorizationError, OAuthError } from '../../core/errors.js';
import { validateAuthorizationRequest } from '../authorization/authorization-request.js';
import { consentCovers } from '../authorization/consent-rules.js';
import { issueAuthorizationCode } from '../authorization/issue-authorization-code.js';
import { savePendingAuthorization } from '../authorization/pending-authorization.js';
import { currentUser } from '../browser/session.js';
import type { ServerContext } from '../context.js';
import { providerOfUser } from '../federation/federated-user.js';
import { redirectUpstream } from '../federation/upstream-login.js';
import { authorizationErrorResponse } from '../http/authorization-error-response.js';
import { parametersFrom, readFormBody } from '../http/form-parameters.js';
import { redirectResponse } from '../http/redirect.js';
import type { ServerPaths } from '../paths.js';

/**
 * The authorization endpoint (OAuth 2.1 §4.1.1). GET, and POST with a form (RFC 6749 §3.1).
 * A signed-in user who already consented to this client and scope goes straight back with a code;
 * others go through the login and consent pages, which carry a handle to the stored request.
 */
export function authorizeEndpoint(ctx: ServerContext, paths: ServerPaths) {
  return async (c: Context): Promise<Response> => {
    try {
      const params = c.req.method === 'POST' ? await readFormBody(c.req.raw) : parametersFrom(new URL(c.req.url).searchParams);
      // Checked by hand in a fixed order, not with a zod schema, on purpose: each parameter has its
      // own error code, and only after client_id and redirect_uri is an error redirected (RFC 6749 §4.1.2.1).
      const { client, request } = await validateAuthorizationRequest(ctx, params);
      const user = await currentUser(ctx, c);
      if (user !== undefined && (await consentCovers(ctx, user.id, client.clientId, request.scope))) {
        const upstream = await providerOfUser(ctx, user.id);
        if (upstream !== undefined) return redirectUpstream(ctx, upstream, request, 'remembered');
        return redirectResponse(await issueAuthorizationCode(ctx, request, user.id), 302);
      }
      const handle = await savePendingAuthorization(ctx, request);
      return redirectResponse(`${user === undefined ? paths.login : paths.consent}?request=${handle}`);
    } catch (error) {
      // Malformed parameters (repeated, wrong body type) are not attributable to a validated client.
      if (error instanceof OAuthError && !(error instanceof AuthorizationError))
        return authorizationErrorResponse(ctx, new AuthorizationError(error.code, error.description));
      return authorizationErrorResponse(ctx, error);
    }
  };
}
