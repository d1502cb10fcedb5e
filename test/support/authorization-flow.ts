/**
 * Helpers for black-box protocol tests over real HTTP: discovery through RFC 8414 metadata,
 * Dynamic Client Registration, an authorization code obtained by driving the real login and
 * consent pages with FormBrowser, and raw token, introspection and revocation requests that
 * return status, headers and the parsed body so tests can assert on the OAuth `error` code.
 */
import assert from 'node:assert/strict';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { hashSecret, randomSecret } from '../../src/core/secrets.js';
import type { Store } from '../../src/store/types.js';
import { FormBrowser } from './browser.js';

/** RFC 7636 Appendix B: the published verifier and its S256 challenge (as printed in the RFC). */
export const RFC7636_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const RFC7636_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:53124/callback';

/** The RFC 8414 fields these tests use. */
export interface ServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint?: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
  jwks_uri: string;
  [key: string]: unknown;
}

/** The RFC 8414 §3.1 metadata address: the well-known suffix inserted before the issuer's path. */
export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** Finds the endpoints through metadata (docs/design.md: never guessed). */
export async function discover(issuer: string): Promise<ServerMetadata> {
  const response = await fetch(metadataUrl(issuer));
  assert.equal(response.status, 200, `metadata for ${issuer}`);
  return (await response.json()) as ServerMetadata;
}

export interface JsonResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function asJson(response: Response): Promise<JsonResult> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: response.status, headers: response.headers, body };
}

/** POSTs a JSON registration request (RFC 7591 §3.1) as is. */
export async function registrationRequest(as: ServerMetadata, metadata: unknown, init: { contentType?: string; rawBody?: string } = {}): Promise<JsonResult> {
  assert.ok(as.registration_endpoint, 'registration endpoint in metadata');
  const response = await fetch(as.registration_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': init.contentType ?? 'application/json' },
    body: init.rawBody ?? JSON.stringify(metadata),
  });
  return asJson(response);
}

/** Registers a public client (`none`) with the authorization_code and refresh_token grants. */
export async function registerPublicClient(as: ServerMetadata, extra: Record<string, unknown> = {}): Promise<string> {
  const result = await registrationRequest(as, {
    redirect_uris: [DEFAULT_REDIRECT_URI],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    client_name: 'Attacker-side test client',
    ...extra,
  });
  assert.equal(result.status, 201, `registration: ${JSON.stringify(result.body)}`);
  return result.body['client_id'] as string;
}

/** An authorization URL; a parameter set to undefined is left out. */
export function authorizationUrl(as: ServerMetadata, params: Record<string, string | undefined>): string {
  const url = new URL(as.authorization_endpoint);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

/** The parameters of a well-formed request, to be overridden (undefined removes one). */
export function authorizationParams(clientId: string, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    client_id: clientId,
    redirect_uri: DEFAULT_REDIRECT_URI,
    response_type: 'code',
    code_challenge: RFC7636_CHALLENGE,
    code_challenge_method: 'S256',
    state: randomSecret(12),
    ...overrides,
  };
}

export interface Login {
  username: string;
  password: string;
}

export interface ObtainedCode {
  code: string;
  verifier: string;
  state: string;
  redirectUri: string;
  callback: URL;
  browser: FormBrowser;
}

/**
 * Drives /authorize through the real login and consent pages and returns the code from the
 * callback. A fresh verifier is made unless one is given.
 */
export async function obtainCode(
  as: ServerMetadata,
  clientId: string,
  login: Login,
  options: { verifier?: string; redirectUri?: string; scope?: string; resource?: string; state?: string; browser?: FormBrowser } = {},
): Promise<ObtainedCode> {
  const verifier = options.verifier ?? randomSecret(32);
  const state = options.state ?? randomSecret(12);
  const redirectUri = options.redirectUri ?? DEFAULT_REDIRECT_URI;
  const browser = options.browser ?? new FormBrowser(new URL(as.issuer).origin);
  const url = authorizationUrl(as, {
    ...authorizationParams(clientId, { redirect_uri: redirectUri, code_challenge: computeS256Challenge(verifier), state }),
    scope: options.scope,
    resource: options.resource,
  });
  const callback = await browser.authorize(url, login);
  assert.equal(callback.searchParams.get('error'), null, `authorization failed: ${callback.href}`);
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), as.issuer);
  const code = callback.searchParams.get('code');
  assert.ok(code, 'a code in the callback');
  return { code, verifier, state, redirectUri, callback, browser };
}

/** A form POST to the token endpoint. */
export async function tokenRequest(as: ServerMetadata, params: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<JsonResult> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) body.set(key, value);
  const response = await fetch(as.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: body.toString(),
  });
  return asJson(response);
}

export function redeemCode(
  as: ServerMetadata,
  params: { clientId: string; code: string; verifier: string | undefined; redirectUri?: string; resource?: string },
): Promise<JsonResult> {
  return tokenRequest(as, {
    grant_type: 'authorization_code',
    client_id: params.clientId,
    code: params.code,
    code_verifier: params.verifier,
    redirect_uri: params.redirectUri ?? DEFAULT_REDIRECT_URI,
    resource: params.resource,
  });
}

export function refreshTokens(as: ServerMetadata, params: { clientId: string; refreshToken: string; scope?: string; resource?: string }): Promise<JsonResult> {
  return tokenRequest(as, {
    grant_type: 'refresh_token',
    client_id: params.clientId,
    refresh_token: params.refreshToken,
    scope: params.scope,
    resource: params.resource,
  });
}

/** Asserts an OAuth error response: the `error` code and the status, never the message. */
export function assertOAuthError(result: JsonResult, error: string, status = 400): void {
  assert.equal(result.body['error'], error, `expected ${error}, got ${result.status} ${JSON.stringify(result.body)}`);
  assert.equal(result.status, status);
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  scope: string;
}

/** Asserts a successful token response and returns it. */
export function assertTokens(result: JsonResult): TokenSet {
  assert.equal(result.status, 200, `expected tokens, got ${result.status} ${JSON.stringify(result.body)}`);
  assert.equal(typeof result.body['access_token'], 'string');
  assert.equal(typeof result.body['refresh_token'], 'string');
  return result.body as unknown as TokenSet;
}

export interface StaticClient {
  clientId: string;
  secret: string;
}

/** A pre-registered confidential client, as a resource server that may introspect. */
export async function addStaticClient(store: Store): Promise<StaticClient> {
  const clientId = `rs-${randomSecret(6)}`;
  const secret = randomSecret(32);
  await store.clients.create({
    clientId,
    secretHash: hashSecret(secret),
    tokenEndpointAuthMethod: 'client_secret_basic',
    redirectUris: [],
    grantTypes: [],
    clientName: 'Resource server',
    scope: null,
    metadata: {},
    source: 'static',
    createdAt: Math.floor(Date.now() / 1000),
  });
  return { clientId, secret };
}

/** Introspects a token as a resource server (RFC 7662) and returns whether it is active. */
export async function isActive(as: ServerMetadata, rs: StaticClient, token: string): Promise<boolean> {
  const response = await fetch(as.introspection_endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${encodeURIComponent(rs.clientId)}:${encodeURIComponent(rs.secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }).toString(),
  });
  assert.equal(response.status, 200, 'introspection');
  return ((await response.json()) as { active: boolean }).active;
}
