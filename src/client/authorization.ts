import * as oauth from 'oauth4webapi';
import { computeS256Challenge } from '../core/pkce.js';
import { isHttpsOrLoopbackHttp } from '../core/plain-http.js';
import { selectAuthorizationScope } from '../core/scope-selection.js';
import { hashSecret, randomSecret } from '../core/secrets.js';
import type { ClientSession } from './client-session.js';
import { ClientAuthError } from './errors.js';
import { oauthRequestOptions } from './http-policy.js';
import { findClientCredentials, oauthClientOf, obtainClientCredentials } from './registration.js';
import { openPending, sealPending } from './sealed-values.js';
import type { AuthorizationStart, AuthorizationStartOptions } from './types.js';

/** A pending login lives 10 minutes from its own start; nothing else extends it. */
export const PENDING_LOGIN_SECONDS = 600;

/**
 * Refuses an authorization URL that is not http(s) before the app opens it: a `javascript:` URL
 * would run in the app's page, a `file:` URL would open a local file. Plain http only to loopback.
 */
export function assertSafeAuthorizationUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ClientAuthError('unsafe_authorization_url', 'the authorization endpoint is not a URL', { cause: error });
  }
  if (!isHttpsOrLoopbackHttp(url)) throw new ClientAuthError('unsafe_authorization_url', `refusing an authorization URL with scheme ${url.protocol}`);
  return url;
}

/**
 * Starts an authorization: discovery (done again, so that protected-resource metadata now naming
 * another authorization server sends the user there, never back to the old one), registration
 * at that server, a PKCE verifier (sealed in the pending login), a random `state` stored only as
 * its hash, and the URL with `resource` and the scope. The scope is the one asked for, else the
 * latest challenge's, else the resource's `scopes_supported`, else the configured scope; plus
 * `extraScope` and what this authorization server already granted (step-up keeps the
 * permissions other operations need); `offline_access` as the authorization server allows.
 * @see MCP Authorization (2026-07-28) "Scope Selection Strategy", "Step-Up Authorization Flow", "Authorization Server Binding"; RFC 7636 §4; RFC 8707 §2
 */
export async function startAuthorization(session: ClientSession, options: AuthorizationStartOptions = {}): Promise<AuthorizationStart> {
  const discovered = await session.rediscover();
  const now = session.now();
  const current = await session.readTokens().catch(() => undefined);
  const scope = selectAuthorizationScope({
    asked: options.scope,
    challenge: session.challengeScope,
    resourceScopesSupported: discovered.resourceMetadata.scopes_supported,
    fallback: session.defaultScope ?? session.clientMetadata.scope,
    extra: options.extraScope,
    granted: current?.record.issuer === discovered.issuer ? current.record.scope : [],
    authorizationServerScopesSupported: discovered.authorizationServer.scopes_supported,
    wantsRefreshToken: (session.clientMetadata.grant_types ?? []).includes('refresh_token'),
  });
  const url = assertSafeAuthorizationUrl(discovered.authorizationServer.authorization_endpoint);
  const credentials = await obtainClientCredentials(
    session.context,
    { issuer: discovered.issuer, metadata: discovered.authorizationServer },
    {
      redirectUri: session.redirectUrl,
      clientMetadata: session.clientMetadata,
      ...(session.clientMetadataUrl !== undefined ? { clientMetadataUrl: session.clientMetadataUrl } : {}),
      ...(scope.length > 0 ? { scope: scope.join(' ') } : {}),
    },
    now,
  );

  const state = randomSecret(32);
  const stateHash = hashSecret(state);
  const verifier = oauth.generateRandomCodeVerifier();
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', credentials.clientId);
  url.searchParams.set('redirect_uri', session.redirectUrl);
  url.searchParams.set('code_challenge', computeS256Challenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('resource', discovered.resource);
  if (scope.length > 0) url.searchParams.set('scope', scope.join(' '));

  const expiresAt = now + PENDING_LOGIN_SECONDS;
  await session.context.store.createPendingLogin({
    stateHash,
    userId: session.userId,
    serverUrl: session.serverUrl,
    issuer: discovered.issuer,
    sealed: sealPending(session.context.keyring, stateHash, {
      verifier,
      clientId: credentials.clientId,
      redirectUri: session.redirectUrl,
      scope,
      resource: discovered.resource,
    }),
    createdAt: now,
    expiresAt,
  });
  return { url, state, expiresAt };
}

function queryOf(query: URLSearchParams | string | Record<string, string>): URLSearchParams {
  if (query instanceof URLSearchParams) return query;
  if (typeof query === 'string') return new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  return new URLSearchParams(query);
}

/**
 * Finishes an authorization from the redirect's query. The pending login is taken (deleted) in
 * one statement by the hash of `state`, so a replayed or expired `state` finds nothing; `iss` is
 * checked against the issuer recorded at the start before anything else in the response is acted
 * on; the code is redeemed with the verifier and `resource`, and the tokens stored sealed.
 * @see RFC 9207 §2.4; RFC 6749 §10.12; RFC 7636 §4.5; RFC 8707 §2.2
 */
export async function finishAuthorization(session: ClientSession, query: URLSearchParams | string | Record<string, string>): Promise<void> {
  const params = queryOf(query);
  const state = params.get('state');
  if (state === null || state === '') throw new ClientAuthError('invalid_state', 'the callback has no state');
  const now = session.now();
  const stateHash = hashSecret(state);
  const pending = await session.context.store.takePendingLogin(stateHash, now);
  if (pending === undefined) throw new ClientAuthError('invalid_state', 'the state is unknown, already used or expired');
  if (pending.userId !== session.userId || pending.serverUrl !== session.serverUrl)
    throw new ClientAuthError('invalid_state', 'the state belongs to another login');
  const secrets = openPending(session.context.keyring, stateHash, pending.sealed);
  const metadata = await session.authorizationServer(pending.issuer);

  // RFC 9207 §2.4 with the MCP table: a present `iss` must be the recorded issuer, exactly; an
  // absent one is refused when the server advertises it. Only then are `error` or `code` read.
  const iss = params.get('iss');
  if (iss === null ? metadata.authorization_response_iss_parameter_supported === true : iss !== pending.issuer) {
    throw new ClientAuthError('issuer_mismatch', 'the authorization response is not from the authorization server the login started at');
  }
  if (params.has('error')) throw new ClientAuthError('authorization_denied', `the authorization server answered ${params.get('error')}`);

  const credentials = await findClientCredentials(session.context, pending.issuer, secrets.redirectUri, now);
  const { client, auth } = oauthClientOf(
    credentials?.clientId === secrets.clientId ? credentials : { clientId: secrets.clientId, authMethod: 'none', source: 'pre_registered' },
  );
  const as: oauth.AuthorizationServer = { ...metadata, issuer: pending.issuer };
  let tokens: oauth.TokenEndpointResponse;
  try {
    const validated = oauth.validateAuthResponse(as, client, params, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, validated, secrets.redirectUri, secrets.verifier, {
      additionalParameters: { resource: secrets.resource },
      ...oauthRequestOptions(metadata.token_endpoint, session.context.fetch),
    });
    tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  } catch (error) {
    if (error instanceof ClientAuthError) throw error;
    throw new ClientAuthError('authorization_server_error', 'redeeming the authorization code failed', { cause: error });
  }
  await session.context.store.saveTokens(
    session.userId,
    session.serverUrl,
    pending.issuer,
    session.tokensUpdate(pending.issuer, secrets.clientId, tokens, secrets.scope),
    now,
  );
}
