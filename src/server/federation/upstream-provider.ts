import * as oauth from 'oauth4webapi';
import { isAllowedEndpoint, mayUsePlainHttp } from '../../core/plain-http.js';
import type { UpstreamIdentity } from './access-policy.js';
import { describeError, UpstreamError, upstreamCall } from './upstream-error.js';
import { identityFrom } from './upstream-identity.js';
import type { UpstreamProviderConfig } from './upstream-settings.js';

/** Upstream tokens as Portcullis keeps them (sealed) for a grant. */
export interface UpstreamTokenSet {
  accessToken: string;
  refreshToken: string | undefined;
  /** Seconds since the epoch; undefined when the provider did not say. */
  expiresAt: number | undefined;
  /** When these tokens were obtained, seconds since the epoch. */
  obtainedAt: number;
}

/** What one attempt keeps between the redirect to the provider and the callback. */
export interface UpstreamAttempt {
  state: string;
  /** OpenID Connect only. */
  nonce: string | undefined;
  codeVerifier: string;
}

export interface UpstreamProvider {
  readonly config: UpstreamProviderConfig;
  /** The exact redirect URI registered at the provider. */
  readonly callbackUrl: string;
  /** A fresh attempt: random state, nonce (OpenID Connect) and PKCE verifier. */
  newAttempt(): UpstreamAttempt;
  /** The origin of the authorization endpoint (for a page's `form-action`, which Chromium applies to redirects). */
  authorizationOrigin(): Promise<string>;
  /** Where to send the browser for `attempt` (fetches the discovery document if needed). */
  authorizationUrl(attempt: UpstreamAttempt): Promise<URL>;
  /** Checks the callback and redeems its code; returns who signed in and their upstream tokens. */
  finish(callback: URLSearchParams, attempt: UpstreamAttempt): Promise<{ identity: UpstreamIdentity; tokens: UpstreamTokenSet }>;
  /** Spends a refresh token (the provider may rotate it: keep the one returned). */
  refresh(refreshToken: string): Promise<UpstreamTokenSet>;
  /** RFC 7009 revocation; false when the provider has no revocation endpoint. */
  revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<boolean>;
}

const DISCOVERY_CACHE_MS = 3600_000;

/** Provider metadata with the two endpoints every login needs (discovery refuses a provider without them). */
type ProviderMetadata = oauth.AuthorizationServer & { readonly authorization_endpoint: string; readonly token_endpoint: string };

/**
 * Portcullis as the OAuth client of one upstream provider, done with oauth4webapi: authorization
 * code with PKCE S256 always (sent even when the provider does not advertise it: RFC 9700
 * §2.1.1), `state` compared exactly, RFC 9207 `iss` checked when present and required when the
 * provider advertises it, `nonce` and ID token claims (`iss`, `aud`, `exp`, `azp`) for OpenID
 * Connect, and one callback URL per provider so a response cannot be replayed at another
 * provider's callback (RFC 9700 §4.4.2, mix-up).
 */
export function createUpstreamProvider(config: UpstreamProviderConfig, callbackUrl: string, now: () => number): UpstreamProvider {
  const exchange = upstreamExchange(config, now);
  const { client, clientAuth } = exchange;
  const metadata = metadataSource(exchange);
  return {
    config,
    callbackUrl,
    newAttempt: () => ({
      state: oauth.generateRandomState(),
      nonce: config.type === 'oidc' ? oauth.generateRandomNonce() : undefined,
      codeVerifier: oauth.generateRandomCodeVerifier(),
    }),
    authorizationOrigin: async () => new URL((await metadata()).authorization_endpoint).origin,
    authorizationUrl: async (attempt) => authorizationUrl(config, callbackUrl, await metadata(), attempt),
    async finish(callback, attempt) {
      const as = await metadata();
      const parameters = checkedCallback(as, client, callback, attempt.state);
      const response = await upstreamCall('token', async () =>
        oauth.processAuthorizationCodeResponse(
          as,
          client,
          await oauth.authorizationCodeGrantRequest(
            as,
            client,
            clientAuth,
            parameters,
            callbackUrl,
            attempt.codeVerifier,
            exchange.requestOptions(as.token_endpoint),
          ),
          attempt.nonce !== undefined ? { expectedNonce: attempt.nonce, requireIdToken: true } : undefined,
        ),
      );
      return { identity: await identityFrom(exchange, as, response), tokens: tokenSet(response, now) };
    },
    async refresh(refreshToken) {
      const as = await metadata();
      const response = await upstreamCall('refresh', async () =>
        oauth.processRefreshTokenResponse(
          as,
          client,
          await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, exchange.requestOptions(as.token_endpoint)),
        ),
      );
      return tokenSet(response, now, refreshToken);
    },
    async revoke(token, hint) {
      const as = await metadata();
      if (as.revocation_endpoint === undefined) return false;
      const options = { ...exchange.requestOptions(as.revocation_endpoint), additionalParameters: { token_type_hint: hint } };
      await upstreamCall('revocation', async () => oauth.processRevocationResponse(await oauth.revocationRequest(as, client, clientAuth, token, options)));
      return true;
    },
  };
}

/** What every back-channel request to one provider needs: who Portcullis is there, and how it may connect. */
export interface UpstreamExchange {
  readonly config: UpstreamProviderConfig;
  readonly client: oauth.Client;
  readonly clientAuth: oauth.ClientAuth;
  readonly issuerUrl: URL;
  readonly now: () => number;
  /** Per-request options: the timeout, and plain http only where the issuer allows it. */
  requestOptions(target: string | undefined): { signal: AbortSignal; [oauth.allowInsecureRequests]?: true };
}

function upstreamExchange(config: UpstreamProviderConfig, now: () => number): UpstreamExchange {
  const clientAuth =
    config.tokenEndpointAuthMethod === 'client_secret_basic'
      ? oauth.ClientSecretBasic(config.clientSecret)
      : config.tokenEndpointAuthMethod === 'client_secret_post'
        ? oauth.ClientSecretPost(config.clientSecret)
        : oauth.None();
  const issuerUrl = new URL(config.issuer);
  return {
    config,
    client: { client_id: config.clientId },
    clientAuth,
    issuerUrl,
    now,
    // oauth4webapi refuses plain http unless told otherwise; it is told so per request, only for a
    // loopback target of a loopback http issuer (development), never for an https provider.
    requestOptions: (target) => ({
      signal: AbortSignal.timeout(config.timeoutMs),
      ...(target !== undefined && URL.canParse(target) && mayUsePlainHttp(new URL(target), issuerUrl) ? { [oauth.allowInsecureRequests]: true as const } : {}),
    }),
  };
}

/** The provider's metadata: configured (plain OAuth 2.0), or discovered and kept for an hour. */
function metadataSource(exchange: UpstreamExchange): () => Promise<ProviderMetadata> {
  const { config, issuerUrl, now } = exchange;
  let discovered: { as: ProviderMetadata; at: number } | undefined;
  return async () => {
    if (config.oauth2 !== undefined) {
      return {
        issuer: config.issuer,
        authorization_endpoint: config.oauth2.authorizationEndpoint,
        token_endpoint: config.oauth2.tokenEndpoint,
        ...(config.oauth2.revocationEndpoint !== undefined ? { revocation_endpoint: config.oauth2.revocationEndpoint } : {}),
      };
    }
    if (discovered !== undefined && now() - discovered.at < DISCOVERY_CACHE_MS) return discovered.as;
    const as = await upstreamCall('discovery', async () =>
      oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, { ...exchange.requestOptions(issuerUrl.href), algorithm: 'oidc' })),
    );
    // RFC 7636 §4.3 / OAuth 2.1 §4.1.1: a provider that lists its methods without S256 cannot do PKCE with us.
    if (as.code_challenge_methods_supported !== undefined && !as.code_challenge_methods_supported.includes('S256')) {
      throw new UpstreamError('invalid_response', `${config.issuer} does not support PKCE S256`);
    }
    const { authorization_endpoint, token_endpoint } = as;
    if (authorization_endpoint === undefined || token_endpoint === undefined) {
      throw new UpstreamError('invalid_response', `${config.issuer} publishes no authorization or token endpoint`);
    }
    refuseInsecureEndpoints(as, issuerUrl);
    discovered = { as: { ...as, authorization_endpoint, token_endpoint }, at: now() };
    return discovered.as;
  };
}

async function authorizationUrl(config: UpstreamProviderConfig, callbackUrl: string, as: ProviderMetadata, attempt: UpstreamAttempt): Promise<URL> {
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', callbackUrl);
  if (config.scopes.length > 0) url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('state', attempt.state);
  if (attempt.nonce !== undefined) url.searchParams.set('nonce', attempt.nonce);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(attempt.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return url;
}

/** The callback's parameters once `state` and `iss` are checked; an error the provider sent is sorted by what the user is told. */
function checkedCallback(as: ProviderMetadata, client: oauth.Client, callback: URLSearchParams, state: string): URLSearchParams {
  try {
    return oauth.validateAuthResponse(as, client, callback, state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const failure =
        error.error === 'access_denied'
          ? 'denied'
          : error.error === 'temporarily_unavailable' || error.error === 'server_error'
            ? 'unavailable'
            : 'invalid_response';
      throw new UpstreamError(failure, `the provider answered ${error.error}`, error.error);
    }
    throw new UpstreamError('invalid_response', `authorization response refused: ${describeError(error)}`);
  }
}

function tokenSet(response: oauth.TokenEndpointResponse, now: () => number, previousRefreshToken?: string): UpstreamTokenSet {
  const obtainedAt = Math.floor(now() / 1000);
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previousRefreshToken,
    expiresAt: typeof response.expires_in === 'number' ? obtainedAt + response.expires_in : undefined,
    obtainedAt,
  };
}

/** The discovered endpoints Portcullis uses: the browser is sent to one, the others get codes, secrets and tokens. */
const USED_ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'revocation_endpoint'] as const;

/**
 * Refuses a discovery document naming an endpoint Portcullis may not use for this issuer (plain
 * http anywhere for an https provider; off this machine for a loopback one), before the browser is
 * sent anywhere, so neither the user nor a code ever reaches it.
 * @see OAuth 2.1 §1.5; OpenID Connect Discovery §3
 */
function refuseInsecureEndpoints(as: oauth.AuthorizationServer, issuer: URL): void {
  for (const name of USED_ENDPOINTS) {
    const value = as[name];
    if (value === undefined) continue;
    if (!URL.canParse(value) || !isAllowedEndpoint(new URL(value), issuer)) {
      throw new UpstreamError(
        'invalid_response',
        `${issuer.href} names ${name} ${JSON.stringify(value.slice(0, 200))}: ${issuer.protocol === 'https:' ? 'an https provider must use https endpoints' : 'plain http is allowed only on loopback'}`,
      );
    }
  }
}
