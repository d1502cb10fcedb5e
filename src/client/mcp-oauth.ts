import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { applicationTypeForRedirectUri } from '../core/application-type.js';
import { assertSafeAuthorizationUrl, finishAuthorization, startAuthorization } from './authorization.js';
import { createAuthorizedFetch } from './authorized-fetch.js';
import { ClientSession } from './client-session.js';
import { ClientAuthError, ReauthRequiredError } from './errors.js';
import { registrationRedirectUris } from './registration-redirect.js';
import { invalidateForSdk, sdkClientInformation, sdkDiscoveryState, sdkTokens } from './sdk-provider-hooks.js';
import { refreshTokens } from './token-refresh.js';
import type { AuthorizationStart, AuthorizationStartOptions, McpOAuth, McpOAuthOptions } from './types.js';

/**
 * An `OAuthClientProvider` for one user and one MCP server, with durable token storage sealed in
 * the Portcullis store, keyed per user, server and authorization server.
 *
 * How it meets the SDK's `auth()`: `discoveryState()` hands it this library's discovery (the
 * spec's order, `resource` and `issuer` checked, S256 required), so the SDK never discovers on its
 * own; `clientInformation()` registers in the spec's order; `tokens()` returns the access token,
 * refreshed first when it is about to expire, and never the refresh token, so that every refresh
 * goes through the single, lease-guarded refresh here. When the SDK wants a login,
 * `redirectToAuthorization` starts one with this library's own `state` and PKCE verifier (the
 * SDK's URL and verifier are not used, only the scope it chose) and hands the URL to
 * `onAuthorizationUrl`; the app finishes it with `callback(query)`, which checks `state` and `iss`
 * (the SDK's `finishAuth(code)` cannot, so `codeVerifier()` refuses).
 *
 * Pass `fetch: oauth.fetch` to the transport as well to refresh once on a 401 without a new
 * login, and to learn the server's `resource_metadata` from its challenges.
 * @see MCP Authorization (2026-07-28)
 */
export function createMcpOAuth(options: McpOAuthOptions): McpOAuth {
  const session = new ClientSession(options);

  /**
   * The stored tokens, refreshed first when the access token is about to expire. If the refresh
   * fails for a passing reason (the authorization server is down) while the access token has not
   * expired yet, that token is still used; an ended grant (`ReauthRequiredError`) always throws.
   * A login without a refresh token is used until its access token expires (or a server refuses
   * it), then it has ended: deleted, and `ReauthRequiredError`.
   */
  async function freshTokens() {
    const current = await session.readTokens();
    if (current === undefined || !session.isExpiring(current.record)) return current;
    if (!current.record.hasRefreshToken) {
      if (!session.hasExpired(current.record)) return current;
      await session.context.store.clearTokens(session.userId, session.serverUrl, current.record.issuer, current.record.version);
      throw new ReauthRequiredError(session.userId, session.serverUrl);
    }
    try {
      await refreshTokens(session, current.record.version);
    } catch (error) {
      if (error instanceof ReauthRequiredError || session.hasExpired(current.record)) throw error;
      return current;
    }
    return session.readTokens();
  }

  async function accessToken(): Promise<string | undefined> {
    return (await freshTokens())?.secrets.access_token;
  }

  async function start(startOptions: AuthorizationStartOptions = {}): Promise<AuthorizationStart> {
    const started = await startAuthorization(session, startOptions);
    await options.onAuthorizationUrl?.(started.url);
    return started;
  }

  const provider: McpOAuth & Required<Pick<OAuthClientProvider, 'discoveryState' | 'invalidateCredentials' | 'saveClientInformation'>> = {
    userId: options.userId,
    serverUrl: session.serverUrl,
    get redirectUrl() {
      return options.redirectUrl;
    },
    get clientMetadata() {
      return {
        ...options.clientMetadata,
        redirect_uris: registrationRedirectUris(options.redirectUrl),
        application_type: options.clientMetadata.application_type ?? applicationTypeForRedirectUri(options.redirectUrl),
      };
    },
    ...(options.clientMetadataUrl !== undefined ? { clientMetadataUrl: options.clientMetadataUrl } : {}),

    start,
    callback: (query) => finishAuthorization(session, query),
    fetch: createAuthorizedFetch(session, accessToken),
    accessToken,
    async refresh() {
      const current = await session.readTokens();
      if (current === undefined) throw new ClientAuthError('not_logged_in', `no tokens for ${session.serverUrl}`);
      await refreshTokens(session, current.record.version);
    },

    discoveryState: () => sdkDiscoveryState(session),
    clientInformation: () => sdkClientInformation(session),
    saveClientInformation() {
      // Registration happens in clientInformation(), which always answers: the SDK never registers.
    },
    async tokens() {
      const current = await freshTokens();
      return current === undefined ? undefined : sdkTokens(session, current);
    },
    saveTokens() {
      // Tokens are only obtained here (callback, refresh); the SDK has no verifier or refresh token to obtain any.
    },
    async redirectToAuthorization(sdkUrl: URL) {
      // The SDK's URL carries the scope it chose (the challenge's on a step-up); the login itself
      // is this library's, with its own state and verifier.
      assertSafeAuthorizationUrl(sdkUrl.href);
      const scope = sdkUrl.searchParams.get('scope');
      await start(scope !== null ? { scope } : {});
    },
    saveCodeVerifier() {
      // Unused: the verifier of a login is made by start() and sealed with its pending login.
    },
    codeVerifier(): string {
      throw new ClientAuthError('invalid_state', 'finish the login with callback(query), which checks state and iss, not with finishAuth(code)');
    },
    invalidateCredentials: (scope) => invalidateForSdk(session, scope),
  };
  return provider;
}
