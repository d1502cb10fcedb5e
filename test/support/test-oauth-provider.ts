/**
 * A tiny identity provider the test itself runs on loopback, for the federation attack tests:
 * GitHub-style OAuth 2.0 (no discovery, user at /user) or OpenID Connect (discovery, ES256 ID
 * tokens, /userinfo). It approves every valid authorization request at once (no UI) and exposes
 * knobs, read per request, to misbehave: deny, fail the token endpoint, forge ID-token claims, omit
 * or forge RFC 9207 `iss`. It shares no code with Portcullis, so a bug there cannot hide here.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { closeHttpServer } from '../../src/http/close-server.js';

export interface TestOAuthProviderOptions {
  mode: 'oauth2' | 'oidc';
  clientId: string;
  clientSecret: string;
  /** The only redirect URI accepted, compared exactly. */
  redirectUri: string;
  /** Who signs in: e.g. { id: 42, login: 'octocat', email } (oauth2), or { sub, email, email_verified } (oidc). */
  user: Record<string, unknown>;
}

export interface TestOAuthProviderKnobs {
  /** Who signs in next (bound to the code when the authorization endpoint answers). */
  user: Record<string, unknown>;
  /** The authorization endpoint answers error=access_denied. */
  deny: boolean;
  /** The token endpoint answers this status with {"error":"server_error"} (an outage). */
  tokenEndpointStatus?: number;
  /** Claims overriding those of the next ID token only (oidc mode); `expiresIn` may be negative. */
  idToken?: { nonce?: string; iss?: string; aud?: string; expiresIn?: number };
  accessTokenTtlSeconds: number;
  /** RFC 9207 `iss` on authorization responses: default true in oidc mode, false in oauth2 mode. */
  sendIss: boolean;
  /** An `iss` to send instead of the issuer, even if sendIss is false (mix-up simulation, RFC 9207 §2.4). */
  issOverride?: string;
}

export interface TestOAuthProvider {
  /** http://127.0.0.1:PORT, also the issuer. */
  url: string;
  issuer: string;
  endpoints: { authorization: string; token: string; userinfo: string; revocation: string };
  knobs: TestOAuthProviderKnobs;
  /** The parameters of every request at the authorization endpoint (query) and token endpoint (body). */
  log: { authorization: Array<Record<string, string>>; token: Array<Record<string, string>> };
  /** Every token an authenticated client presented to the revocation endpoint. */
  revoked: Set<string>;
  /** Issued, unexpired, and neither it nor its grant revoked. */
  isAccessTokenValid(token: string): boolean;
  close(): Promise<void>;
}

type Params = Record<string, string>;
interface Grant {
  id: string;
  user: Record<string, unknown>;
  scope: string;
}
interface State extends Pick<TestOAuthProvider, 'issuer' | 'endpoints' | 'knobs' | 'log' | 'revoked'> {
  options: TestOAuthProviderOptions;
  key: { privateKey: CryptoKey; jwk: JWK };
  codes: Map<string, Grant & { redirectUri: string; codeChallenge: string; nonce?: string }>;
  accessTokens: Map<string, Grant & { expiresAt: number }>;
  refreshTokens: Map<string, Grant>;
  /** Grants whose refresh token was revoked: their access tokens end too. */
  revokedGrants: Set<string>;
}

/** Starts the provider on 127.0.0.1 with an ephemeral port. */
export async function startTestOAuthProvider(options: TestOAuthProviderOptions): Promise<TestOAuthProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const state: State = {
    options,
    issuer,
    endpoints: {
      authorization: `${issuer}/authorize`,
      token: `${issuer}/token`,
      userinfo: `${issuer}${options.mode === 'oidc' ? '/userinfo' : '/user'}`,
      revocation: `${issuer}/revoke`,
    },
    knobs: { user: options.user, deny: false, accessTokenTtlSeconds: 3600, sendIss: options.mode === 'oidc' },
    log: { authorization: [], token: [] },
    revoked: new Set(),
    key: { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256', use: 'sig' } },
    codes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    revokedGrants: new Set(),
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    route(state, request, response).catch((error: unknown) => {
      process.stderr.write(`test-oauth-provider: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!response.headersSent) sendJson(response, 500, { error: 'server_error' });
    });
  });
  const { endpoints, knobs, log, revoked } = state;
  return {
    url: issuer,
    issuer,
    endpoints,
    knobs,
    log,
    revoked,
    isAccessTokenValid: (token) => isAccessTokenValid(state, token),
    close: () => closeHttpServer(server),
  };
}

async function route(state: State, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', state.issuer);
  const endpoint = `${request.method} ${url.origin}${url.pathname}`;
  const { endpoints } = state;
  if (endpoint === `GET ${endpoints.authorization}`) return authorize(state, Object.fromEntries(url.searchParams), response);
  if (endpoint === `POST ${endpoints.token}`) return token(state, request, await readForm(request), response);
  if (endpoint === `GET ${endpoints.userinfo}`) return userinfo(state, request, response);
  if (endpoint === `POST ${endpoints.revocation}`) return revoke(state, request, await readForm(request), response);
  // GitHub-style OAuth 2.0 publishes no metadata; the client is configured with the endpoints.
  if (state.options.mode === 'oidc') {
    if (endpoint === `GET ${state.issuer}/.well-known/openid-configuration`) return sendJson(response, 200, discoveryDocument(state));
    if (endpoint === `GET ${state.issuer}/jwks`) return sendJson(response, 200, { keys: [state.key.jwk] });
  }
  sendJson(response, 404, { error: 'not_found' });
}

/** Auto-approves; errors go back to the client only once client and redirect URI are known good (RFC 6749 §4.1.2.1). */
function authorize(state: State, params: Params, response: ServerResponse): void {
  const { knobs, options } = state;
  state.log.authorization.push(params);
  if (params.client_id !== options.clientId || params.redirect_uri !== options.redirectUri) {
    response.writeHead(400, { 'Content-Type': 'text/html' }).end('<h1>invalid client_id or redirect_uri</h1>');
    return;
  }
  const redirect = (result: Params) => {
    const target = new URL(options.redirectUri);
    const iss = knobs.issOverride ?? (knobs.sendIss ? state.issuer : undefined);
    const fields = { ...result, state: params.state, iss };
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) target.searchParams.set(name, value);
    response.writeHead(302, { Location: target.href, 'Cache-Control': 'no-store' }).end();
  };
  if (params.response_type === undefined) {
    redirect({ error: 'invalid_request', error_description: 'response_type is required' });
    return;
  }
  if (params.response_type !== 'code') {
    redirect({ error: 'unsupported_response_type' });
    return;
  }
  // RFC 7636 §4.3; S256 only, as OAuth 2.1 §4.1.1 and MCP require.
  if (params.code_challenge === undefined || params.code_challenge_method !== 'S256') {
    redirect({ error: 'invalid_request', error_description: 'PKCE with S256 is required' });
    return;
  }
  if (knobs.deny) {
    redirect({ error: 'access_denied' });
    return;
  }
  const code = randomToken();
  const scope = params.scope ?? (state.options.mode === 'oidc' ? 'openid' : '');
  state.codes.set(code, {
    id: randomToken(),
    user: { ...knobs.user },
    scope,
    redirectUri: params.redirect_uri,
    codeChallenge: params.code_challenge,
    ...(params.nonce !== undefined && { nonce: params.nonce }),
  });
  redirect({ code });
}

async function token(state: State, request: IncomingMessage, params: Params, response: ServerResponse): Promise<void> {
  const { knobs } = state;
  state.log.token.push(params);
  if (knobs.tokenEndpointStatus !== undefined) return sendJson(response, knobs.tokenEndpointStatus, { error: 'server_error' });
  if (!authenticateClient(state, request, params)) {
    sendInvalidClient(response, request);
    return;
  }
  if (params.grant_type === 'authorization_code') {
    const code = state.codes.get(params.code ?? '');
    state.codes.delete(params.code ?? ''); // single use, even when the rest of the request fails (RFC 6749 §4.1.2)
    if (code === undefined || params.redirect_uri !== code.redirectUri || !verifyS256(params.code_verifier, code.codeChallenge)) {
      return sendJson(response, 400, { error: 'invalid_grant' });
    }
    return sendJson(response, 200, await issueTokens(state, code, { nonce: code.nonce }));
  }
  if (params.grant_type === 'refresh_token') {
    const grant = state.refreshTokens.get(params.refresh_token ?? '');
    if (grant === undefined || state.revoked.has(params.refresh_token!) || state.revokedGrants.has(grant.id))
      return sendJson(response, 400, { error: 'invalid_grant' });
    state.refreshTokens.delete(params.refresh_token!); // rotation: the old one is spent (OAuth 2.1 §4.3.1)
    return sendJson(response, 200, await issueTokens(state, grant));
  }
  sendJson(response, 400, { error: 'unsupported_grant_type' });
}

/**
 * A token response (RFC 6749 §5.1). `idToken` is given for the code grant: in oidc mode, with
 * scope openid, it adds an ID token (OIDC Core §3.1.3.3); a refresh answers without one (§12.2 allows it).
 */
async function issueTokens(state: State, grant: Grant, idToken?: { nonce: string | undefined }): Promise<Record<string, unknown>> {
  const { knobs } = state;
  const accessToken = randomToken();
  const refreshToken = randomToken();
  state.accessTokens.set(accessToken, { ...grant, expiresAt: Date.now() + knobs.accessTokenTtlSeconds * 1000 });
  state.refreshTokens.set(refreshToken, grant);
  const body: Record<string, unknown> = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: knobs.accessTokenTtlSeconds,
    refresh_token: refreshToken,
    scope: grant.scope,
  };
  if (idToken !== undefined && state.options.mode === 'oidc' && grant.scope.split(' ').includes('openid')) {
    body.id_token = await signIdToken(state, grant.user, idToken.nonce);
  }
  return body;
}

/** An ES256 ID token (OIDC Core §2) with the user's claims, then the next-token overrides, which are used up. */
async function signIdToken(state: State, user: Record<string, unknown>, requestedNonce: string | undefined): Promise<string> {
  const overrides = state.knobs.idToken ?? {};
  delete state.knobs.idToken;
  const nonce = overrides.nonce ?? requestedNonce;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...user, ...(nonce !== undefined && { nonce }) })
    .setProtectedHeader({ alg: 'ES256', kid: state.key.jwk.kid! })
    .setIssuer(overrides.iss ?? state.issuer)
    .setAudience(overrides.aud ?? state.options.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + (overrides.expiresIn ?? 600))
    .sign(state.key.privateKey);
}

function isAccessTokenValid(state: State, token: string): boolean {
  const grant = state.accessTokens.get(token);
  return grant !== undefined && grant.expiresAt > Date.now() && !state.revoked.has(token) && !state.revokedGrants.has(grant.id);
}

function userinfo(state: State, request: IncomingMessage, response: ServerResponse): void {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined || !isAccessTokenValid(state, token)) {
    // RFC 6750 §3.1
    response.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"', 'Cache-Control': 'no-store' }).end();
    return;
  }
  sendJson(response, 200, state.accessTokens.get(token)!.user);
}

/** RFC 7009 §2: 200 whatever the token; revoking a refresh token also ends its access tokens (§2.1). */
function revoke(state: State, request: IncomingMessage, params: Params, response: ServerResponse): void {
  if (!authenticateClient(state, request, params)) {
    sendInvalidClient(response, request);
    return;
  }
  if (params.token !== undefined) {
    state.revoked.add(params.token);
    const grant = state.refreshTokens.get(params.token);
    if (grant !== undefined) state.revokedGrants.add(grant.id);
  }
  response.writeHead(200, { 'Cache-Control': 'no-store' }).end();
}

/** client_secret_basic (id and secret form-urlencoded inside, RFC 6749 §2.3.1) or client_secret_post; never both (§2.3). */
function authenticateClient(state: State, request: IncomingMessage, params: Params): boolean {
  const basic = /^Basic (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  let credentials: [string | undefined, string | undefined] = [params.client_id, params.client_secret];
  if (basic !== undefined) {
    if (params.client_secret !== undefined) return false;
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return false;
    credentials = [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
    if (params.client_id !== undefined && params.client_id !== credentials[0]) return false;
  }
  const [clientId, secret] = credentials;
  return clientId === state.options.clientId && secret !== undefined && constantTimeEqual(secret, state.options.clientSecret);
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined; // malformed percent-encoding: no credentials
  }
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
function verifyS256(verifier: string | undefined, challenge: string): boolean {
  return verifier !== undefined && constantTimeEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}

function constantTimeEqual(a: string, b: string): boolean {
  // Equal-length digests, so timingSafeEqual neither throws nor leaks the length.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function discoveryDocument(state: State): Record<string, unknown> {
  const { endpoints } = state;
  return {
    issuer: state.issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    userinfo_endpoint: endpoints.userinfo,
    jwks_uri: `${state.issuer}/jwks`,
    revocation_endpoint: endpoints.revocation,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}

function sendInvalidClient(response: ServerResponse, request: IncomingMessage): void {
  // RFC 6749 §5.2: a 401 names the scheme the client tried.
  const headers: Record<string, string> = request.headers.authorization === undefined ? {} : { 'WWW-Authenticate': 'Basic realm="test-oauth-provider"' };
  sendJson(response, 401, { error: 'invalid_client' }, headers);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers }).end(JSON.stringify(body));
}

async function readForm(request: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

function randomToken(): string {
  return randomBytes(24).toString('base64url');
}
