import { parseChallenge } from '../core/www-authenticate.js';
import type { ClientSession } from './client-session.js';
import { refreshTokens } from './token-refresh.js';
import type { FetchFunction } from './types.js';

/**
 * `fetch` with the user's bearer token for the MCP server. The token is refreshed first when it
 * is about to expire. A 401 to a token that was sent makes discovery run again: when the
 * protected-resource metadata now names another authorization server, the tokens of the old one
 * are deleted (never refreshed there or sent to the new one) and the 401 is returned, so the
 * caller logs in at the new server as on a first connection; otherwise the 401 is answered by one
 * refresh (shared with every other caller, in and across processes) and one retry. What the
 * challenge says (`resource_metadata`, `scope`) is remembered for discovery and the next login.
 * `ReauthRequiredError` propagates: the app shows "reconnect".
 * @see RFC 6750 §3; MCP Authorization (2026-07-28) "Token Handling", "Authorization Server Binding"
 */
export function createAuthorizedFetch(session: ClientSession, accessToken: () => Promise<string | undefined>): FetchFunction {
  const base = session.context.fetch ?? fetch;

  return async (input, init) => {
    // A Request's body can be read once: keep a copy for the retry.
    const retryable = input instanceof Request ? input.clone() : input;
    const send = async (token: string | undefined, target: string | URL | Request) => {
      const headers = new Headers(target instanceof Request ? target.headers : undefined);
      new Headers(init?.headers).forEach((value, key) => {
        headers.set(key, value);
      });
      if (token !== undefined) headers.set('Authorization', `Bearer ${token}`);
      return base(target, { ...init, headers });
    };
    const token = await accessToken();
    const response = await send(token, input);
    if (response.status !== 401) return response;
    const header = response.headers.get('www-authenticate');
    session.noteChallenge(header === null ? null : parseChallenge(header));
    const current = await session.readTokens();
    if (token === undefined || current === undefined) return response;
    // Metadata that cannot be read just now proves no move: go on with the refresh as before.
    const discovered = await session.rediscover().catch(() => undefined);
    if (discovered !== undefined && discovered.issuer !== current.record.issuer) {
      // MCP "Authorization Server Binding": credentials of one authorization server are never
      // used with another. The old grant is useless for this resource now: forget it.
      await session.context.store.clearTokens(session.userId, session.serverUrl, current.record.issuer, current.record.version);
      return response;
    }
    await response.body?.cancel();
    // Refresh unless the token sent has been replaced meanwhile (then just retry with the new one).
    if (current.secrets.access_token === token) await refreshTokens(session, current.record.version);
    return send(await accessToken(), retryable);
  };
}
