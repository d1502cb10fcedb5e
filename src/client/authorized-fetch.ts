import { parseChallenge } from '../core/www-authenticate.js';
import type { ClientSession } from './client-session.js';
import { refreshTokens } from './token-refresh.js';
import type { FetchFunction } from './types.js';

/**
 * `fetch` with the user's bearer token for the MCP server. The token is refreshed first when it
 * is about to expire; a 401 to a token that was sent is answered by one refresh (shared with every
 * other caller, in and across processes) and one retry. A `resource_metadata` in a challenge is
 * remembered for discovery. `ReauthRequiredError` propagates: the app shows "reconnect".
 * @see RFC 6750 §3; MCP Authorization (2026-07-28) "Token Handling"
 */
export function createAuthorizedFetch(session: ClientSession, accessToken: () => Promise<string | undefined>): FetchFunction {
  const base = session.context.fetch ?? fetch;

  function noteChallenge(response: Response): void {
    const header = response.headers.get('www-authenticate');
    const hint = header === null ? undefined : parseChallenge(header)?.['resource_metadata'];
    if (hint !== undefined && hint !== session.resourceMetadataHint) {
      session.resourceMetadataHint = hint;
    }
  }

  return async (input, init) => {
    // A Request's body can be read once: keep a copy for the retry.
    const retryable = input instanceof Request ? input.clone() : input;
    const send = async (token: string | undefined, target: string | URL | Request) => {
      const headers = new Headers(target instanceof Request ? target.headers : undefined);
      new Headers(init?.headers).forEach((value, key) => headers.set(key, value));
      if (token !== undefined) headers.set('Authorization', `Bearer ${token}`);
      return base(target, { ...init, headers });
    };
    const token = await accessToken();
    const response = await send(token, input);
    if (response.status !== 401) return response;
    noteChallenge(response);
    const current = await session.readTokens();
    if (token === undefined || current === undefined) return response;
    await response.body?.cancel();
    // Refresh unless the token sent has been replaced meanwhile (then just retry with the new one).
    if (current.secrets.access_token === token) await refreshTokens(session, current.record.version);
    return send(await accessToken(), retryable);
  };
}
