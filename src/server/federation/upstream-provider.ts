import * as oauth from 'oauth4webapi';
import { isAllowedEndpoint, mayUsePlainHttp } from '../../core/plain-http.js';
import type { UpstreamIdentity } from './access-policy.js';
import type { UpstreamProviderConfig } from './upstream-settings.js';

/**
 * How an exchange with the upstream failed, which decides what the user and the MCP client are
 * told: `denied` (the user or the provider said no: `access_denied`), `unavailable` (unreachable,
 * timed out, 5xx: `temporarily_unavailable`), `invalid_response` (a response that fails the
 * protocol's checks — wrong `iss`, `state`, `nonce`, audience — or a provider set up wrongly:
 * `server_error`).
 */
export type UpstreamFailure = 'denied' | 'unavailable' | 'invalid_response';

export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    /** For logs: never a token or a code. */
    readonly detail: string,
    /** The provider's own error code, when it sent one. */
    readonly upstreamCode?: string,
  ) {
    super(detail);
    this.name = 'UpstreamError';
  }
}

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
  const client: oauth.Client = { client_id: config.clientId };
  const clientAuth =
    config.tokenEndpointAuthMethod === 'client_secret_basic'
      ? oauth.ClientSecretBasic(config.clientSecret)
      : config.tokenEndpointAuthMethod === 'client_secret_post'
        ? oauth.ClientSecretPost(config.clientSecret)
        : oauth.None();
  const issuerUrl = new URL(config.issuer);
  // oauth4webapi refuses plain http unless told otherwise; it is told so per request, only for a
  // loopback target of a loopback http issuer (development), never for an https provider.
  const requestOptions = (target: string | undefined) => ({
    signal: AbortSignal.timeout(config.timeoutMs),
    ...(target !== undefined && URL.canParse(target) && mayUsePlainHttp(new URL(target), issuerUrl) ? { [oauth.allowInsecureRequests]: true } : {}),
  });
  let discovered: { as: ProviderMetadata; at: number } | undefined;

  async function metadata(): Promise<ProviderMetadata> {
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
      oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, { ...requestOptions(issuerUrl.href), algorithm: 'oidc' })),
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
  }

  function tokenSet(response: oauth.TokenEndpointResponse, previousRefreshToken?: string): UpstreamTokenSet {
    const obtainedAt = Math.floor(now() / 1000);
    return {
      accessToken: response.access_token,
      refreshToken: response.refresh_token ?? previousRefreshToken,
      expiresAt: typeof response.expires_in === 'number' ? obtainedAt + response.expires_in : undefined,
      obtainedAt,
    };
  }

  async function identityFrom(as: oauth.AuthorizationServer, response: oauth.TokenEndpointResponse): Promise<UpstreamIdentity> {
    if (config.oauth2 !== undefined) {
      const fields = config.oauth2;
      const info = await upstreamCall('user info', async () => {
        const headers = new Headers({ Accept: 'application/json', 'User-Agent': 'Portcullis' });
        const answer = await oauth.protectedResourceRequest(
          response.access_token,
          'GET',
          new URL(fields.userinfoEndpoint),
          headers,
          null,
          requestOptions(fields.userinfoEndpoint),
        );
        if (!answer.ok) throw new UpstreamError(answer.status >= 500 ? 'unavailable' : 'invalid_response', `user info answered ${answer.status}`);
        const body: unknown = await answer.json();
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UpstreamError('invalid_response', 'user info is not a JSON object');
        return body as Record<string, unknown>;
      });
      const subject = info[fields.subjectField];
      if ((typeof subject !== 'string' && typeof subject !== 'number') || String(subject) === '') {
        throw new UpstreamError('invalid_response', `user info has no ${fields.subjectField}`);
      }
      return identity(String(subject), info, fields.emailField, fields.nameField);
    }
    const idToken = oauth.getValidatedIdTokenClaims(response);
    if (idToken === undefined) throw new UpstreamError('invalid_response', 'no ID token');
    let claims: Record<string, unknown> = { ...idToken };
    if (as.userinfo_endpoint !== undefined) {
      // OpenID Connect Core §5.3.2: the user info `sub` must equal the ID token's.
      const info = await upstreamCall('user info', async () =>
        oauth.processUserInfoResponse(
          as,
          client,
          idToken.sub,
          await oauth.userInfoRequest(as, client, response.access_token, requestOptions(as.userinfo_endpoint)),
        ),
      );
      claims = { ...claims, ...info };
    }
    return identity(idToken.sub, claims, 'email', 'name');
  }

  function identity(subject: string, claims: Record<string, unknown>, emailField: string, nameField: string): UpstreamIdentity {
    const email = claims[emailField];
    const verified = claims['email_verified'];
    const name = claims[nameField] ?? claims['preferred_username'] ?? claims['login'];
    return {
      providerId: config.id,
      subject,
      email: typeof email === 'string' && email !== '' ? email : undefined,
      emailVerified: typeof verified === 'boolean' ? verified : undefined,
      name: typeof name === 'string' && name !== '' ? name : undefined,
      claims,
    };
  }

  return {
    config,
    callbackUrl,
    newAttempt: () => ({
      state: oauth.generateRandomState(),
      nonce: config.type === 'oidc' ? oauth.generateRandomNonce() : undefined,
      codeVerifier: oauth.generateRandomCodeVerifier(),
    }),
    authorizationOrigin: async () => new URL((await metadata()).authorization_endpoint).origin,
    async authorizationUrl(attempt) {
      const as = await metadata();
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
    },
    async finish(callback, attempt) {
      const as = await metadata();
      let parameters: URLSearchParams;
      try {
        parameters = oauth.validateAuthResponse(as, client, callback, attempt.state);
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
        throw new UpstreamError('invalid_response', `authorization response refused: ${describe(error)}`);
      }
      const response = await upstreamCall('token', async () =>
        oauth.processAuthorizationCodeResponse(
          as,
          client,
          await oauth.authorizationCodeGrantRequest(as, client, clientAuth, parameters, callbackUrl, attempt.codeVerifier, requestOptions(as.token_endpoint)),
          attempt.nonce !== undefined ? { expectedNonce: attempt.nonce, requireIdToken: true } : undefined,
        ),
      );
      return { identity: await identityFrom(as, response), tokens: tokenSet(response) };
    },
    async refresh(refreshToken) {
      const as = await metadata();
      const response = await upstreamCall('refresh', async () =>
        oauth.processRefreshTokenResponse(
          as,
          client,
          await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, requestOptions(as.token_endpoint)),
        ),
      );
      return tokenSet(response, refreshToken);
    },
    async revoke(token, hint) {
      const as = await metadata();
      if (as.revocation_endpoint === undefined) return false;
      await upstreamCall('revocation', async () =>
        oauth.processRevocationResponse(
          await oauth.revocationRequest(as, client, clientAuth, token, {
            ...requestOptions(as.revocation_endpoint),
            additionalParameters: { token_type_hint: hint },
          }),
        ),
      );
      return true;
    },
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

/**
 * Runs one back-channel exchange and sorts its failure: a network error, a timeout or a 5xx is
 * `unavailable`; an OAuth error body is `denied` for `access_denied` and otherwise, like any
 * response that fails oauth4webapi's checks, `invalid_response`.
 */
async function upstreamCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (error instanceof oauth.ResponseBodyError) {
      const failure = error.status >= 500 ? 'unavailable' : error.error === 'access_denied' ? 'denied' : 'invalid_response';
      throw new UpstreamError(failure, `${what}: the provider answered ${error.status} ${error.error}`, error.error);
    }
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      throw new UpstreamError(error.status >= 500 ? 'unavailable' : 'invalid_response', `${what}: the provider answered ${error.status} with a challenge`);
    }
    if (error instanceof oauth.OperationProcessingError) {
      const status = (error.cause as { status?: unknown } | undefined)?.status;
      const failure = typeof status === 'number' && status >= 500 ? 'unavailable' : 'invalid_response';
      throw new UpstreamError(failure, `${what}: ${error.message}`);
    }
    // fetch failures (refused, reset, DNS) are TypeErrors; AbortSignal.timeout gives a TimeoutError.
    throw new UpstreamError('unavailable', `${what}: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
