import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthProtectedResourceMetadata,
  OAuthTokens,
  AuthorizationServerMetadata as SdkAuthorizationServerMetadata,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ClientTokensRecord } from '../store/types.js';
import type { ClientSession } from './client-session.js';
import { obtainClientCredentials } from './registration.js';
import { registrationRedirectKey } from './registration-redirect.js';
import type { TokenSecrets } from './sealed-values.js';

/**
 * The answers the MCP SDK's `auth()` gets from the provider, built from this library's own
 * discovery, registration and stored tokens (see mcp-oauth.ts for why the SDK never discovers,
 * registers or refreshes on its own).
 */

/** This library's checked discovery, in the SDK's shape, so `auth()` skips its own. */
export async function sdkDiscoveryState(session: ClientSession): Promise<OAuthDiscoveryState> {
  const found = await session.discover();
  return {
    authorizationServerUrl: found.issuer,
    resourceMetadataUrl: found.resourceMetadataUrl,
    // The SDK's types for the two documents; both were parsed and checked by discovery.ts.
    resourceMetadata: found.resourceMetadata as unknown as OAuthProtectedResourceMetadata,
    authorizationServerMetadata: found.authorizationServer as unknown as SdkAuthorizationServerMetadata,
  };
}

/** The client's credentials at the discovered issuer, registering in the spec's order if needed; stamped with the issuer. */
export async function sdkClientInformation(session: ClientSession): Promise<OAuthClientInformationMixed> {
  const found = await session.discover();
  const credentials = await obtainClientCredentials(
    session.context,
    { issuer: found.issuer, metadata: found.authorizationServer },
    {
      redirectUri: session.redirectUrl,
      clientMetadata: session.clientMetadata,
      ...(session.clientMetadataUrl !== undefined ? { clientMetadataUrl: session.clientMetadataUrl } : {}),
    },
    session.now(),
  );
  return {
    client_id: credentials.clientId,
    ...(credentials.clientSecret !== undefined ? { client_secret: credentials.clientSecret } : {}),
    issuer: found.issuer,
  };
}

/** The access token for the SDK's requests, without the refresh token (only this library refreshes). */
export function sdkTokens(session: ClientSession, current: { record: ClientTokensRecord; secrets: TokenSecrets }): OAuthTokens {
  const { record, secrets } = current;
  const expiresIn = record.accessExpiresAt === null ? undefined : Math.max(0, record.accessExpiresAt - session.now());
  return {
    access_token: secrets.access_token,
    token_type: secrets.token_type,
    ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}),
    ...(record.scope.length > 0 ? { scope: record.scope.join(' ') } : {}),
    issuer: record.issuer,
  };
}

/** What the SDK asks to forget when a server said the credentials are no longer valid. */
export async function invalidateForSdk(session: ClientSession, scope: Parameters<NonNullable<OAuthClientProvider['invalidateCredentials']>>[0]): Promise<void> {
  const { store } = session.context;
  if (scope === 'discovery' || scope === 'all') session.forgetDiscovery();
  if (scope === 'tokens' || scope === 'all') {
    const current = await store.findTokens(session.userId, session.serverUrl);
    if (current !== undefined) await store.clearTokens(session.userId, session.serverUrl, current.issuer, current.version);
  }
  if (scope === 'client' || scope === 'all') {
    const found = await session.discover().catch(() => undefined);
    if (found !== undefined) await store.deleteRegistration(found.issuer, registrationRedirectKey(session.redirectUrl));
  }
}
