import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendErrorPage, sendJson } from '../http-helpers.js';
import { has, type TargetState } from '../target-state.js';

/**
 * Flaws of the metadata documents (DISC-03..06, DISC-09..10, ASM-*). Each changes one member of
 * one document, or where it is served.
 */
export type MetadataFlaw =
  /** DISC-03: no protected-resource metadata at any address. */
  | 'no-protected-resource-metadata'
  /** DISC-04: `resource` names another path of the same origin. */
  | 'prm-resource-mismatch'
  /** DISC-04 (warn): `resource` is the MCP URL with a trailing slash. */
  | 'prm-resource-trailing-slash'
  /** DISC-05: `authorization_servers` is empty. */
  | 'prm-no-authorization-servers'
  /** DISC-05: `authorization_servers` names a plain-http issuer off loopback (`http://auth.test`). */
  | 'prm-http-authorization-server'
  /** DISC-06: `scopes_supported` lists `offline_access`. */
  | 'prm-offline-access'
  /** DISC-09: the resource's `jwks_uri` is plain http off loopback. */
  | 'prm-jwks-uri-plain-http'
  /** DISC-09: the `token_endpoint` is plain http off loopback (`http://auth.test:PORT/token`). */
  | 'token-endpoint-plain-http'
  /** DISC-10: the resource's `jwks_uri` is the cloud metadata address 169.254.169.254 (https, so only the address is wrong). */
  | 'prm-jwks-uri-link-local'
  /** DISC-10: the resource's `jwks_uri` is on `keys.internal.test`, which the test's DNS table points at a private or a public address. */
  | 'prm-jwks-uri-internal-name'
  /** ASM-01: no authorization server metadata at any discovery address. */
  | 'no-as-metadata'
  /** ASM-02: `issuer` has a trailing slash the issuer named in the protected-resource metadata does not. */
  | 'as-metadata-issuer-mismatch'
  /** ASM-03 (high): no `code_challenge_methods_supported`. */
  | 'pkce-methods-absent'
  /** ASM-03 (medium): `code_challenge_methods_supported` lists `plain` beside S256. */
  | 'pkce-plain-listed'
  /** ASM-04: `response_types_supported` lists `token`. */
  | 'implicit-advertised'
  /** ASM-04: `grant_types_supported` lists `password`. */
  | 'password-grant-advertised'
  /** ASM-05: no `authorization_response_iss_parameter_supported`. */
  | 'no-iss-parameter-support'
  /** ASM-06: the metadata is built from `X-Forwarded-Host`/`X-Forwarded-Proto` when present. */
  | 'issuer-follows-forwarded-host'
  /** ASM-06: the metadata is built from the request's `Host`. */
  | 'issuer-follows-host'
  /** ASM-07 (critical): the `authorization_endpoint` is a `javascript:` URL. */
  | 'endpoint-javascript-scheme'
  /** ASM-07 (high): the `authorization_endpoint` carries a shell command substitution, `$(…)` (CVE-2025-6514's trick). */
  | 'endpoint-shell-payload'
  /** ASM-08 (warn): the `revocation_endpoint` is on another host (`https://revoke.test`). */
  | 'endpoint-off-host'
  /** ASM-08: `jwks_uri` serves JSON that is not a JWK Set (with the `jwks` option). */
  | 'jwks-not-a-jwk-set'
  /** ASM-08: the JWK Set publishes the private key (with the `jwks` option). */
  | 'jwks-private-key'
  /** ASM-09: neither `registration_endpoint` nor Client ID Metadata Documents. */
  | 'no-registration-options'
  /** ASM-10: no `revocation_endpoint`. */
  | 'no-revocation-endpoint';

// Forms a correct target may take that are not flaws (see TargetOptions in target-state.ts).
declare module '../target-state.js' {
  interface TargetOptions {
    /** The authorization server publishes its metadata only by OpenID Connect Discovery (`/.well-known/openid-configuration`). */
    readonly openIdConfigurationOnly?: boolean;
    /** The authorization server publishes a JWK Set (`jwks_uri`, an RSA key) as servers issuing JWT access tokens do. */
    readonly jwks?: boolean;
    /** A query the `authorization_endpoint` carries (`tenant=a&region=eu`): a URL's own `&`, no flaw. */
    readonly authorizationEndpointQuery?: string;
  }
}

/** The name DISC-10's test resolves to an address of its choosing. */
export const INTERNAL_KEYS_HOST = 'keys.internal.test';

const signingKeys = new WeakMap<TargetState, { publicKey: KeyObject; privateKey: KeyObject }>();

/** The target's RSA key pair, made on first use: the key its JWK Set publishes. */
export function targetSigningKey(state: TargetState): { publicKey: KeyObject; privateKey: KeyObject } {
  let pair = signingKeys.get(state);
  if (pair === undefined) {
    pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    signingKeys.set(state, pair);
  }
  return pair;
}

/** The resource's `jwks_uri`, under the flaws that change it. */
function resourceJwksUri(state: TargetState): string | undefined {
  if (has(state, 'prm-jwks-uri-plain-http')) return 'http://keys.test/jwks.json';
  if (has(state, 'prm-jwks-uri-link-local')) return 'https://169.254.169.254/latest/meta-data/jwks.json';
  if (has(state, 'prm-jwks-uri-internal-name')) return `https://${INTERNAL_KEYS_HOST}/jwks.json`;
  return undefined;
}

function resourceFor(state: TargetState): string {
  if (has(state, 'prm-resource-mismatch')) return `${state.origin}/other`;
  if (has(state, 'prm-resource-trailing-slash')) return `${state.origin}/mcp/`;
  return `${state.origin}/mcp`;
}

function authorizationServersFor(state: TargetState): string[] {
  if (has(state, 'prm-no-authorization-servers')) return [];
  if (has(state, 'prm-http-authorization-server')) return ['http://auth.test'];
  return [state.origin];
}

/** RFC 9728 §2: served at /.well-known/oauth-protected-resource/mcp and at the root. */
export function sendResourceMetadata(state: TargetState, response: ServerResponse): void {
  if (has(state, 'no-protected-resource-metadata')) return sendErrorPage(response, 404, 'Not found');
  const jwksUri = resourceJwksUri(state);
  sendJson(response, 200, {
    resource: resourceFor(state),
    authorization_servers: authorizationServersFor(state),
    scopes_supported: has(state, 'prm-offline-access') ? ['mcp:tools', 'offline_access'] : ['mcp:tools'],
    bearer_methods_supported: ['header'],
    ...(jwksUri !== undefined ? { jwks_uri: jwksUri } : {}),
  });
}

/** The origin the metadata is built from: the target's own, or (flawed) one the request's headers name. */
function originFor(state: TargetState, request: IncomingMessage): string {
  const forwardedHost = request.headers['x-forwarded-host'];
  if (has(state, 'issuer-follows-forwarded-host') && typeof forwardedHost === 'string') {
    const proto = request.headers['x-forwarded-proto'];
    return `${typeof proto === 'string' ? proto : 'http'}://${forwardedHost}`;
  }
  if (has(state, 'issuer-follows-host') && request.headers.host !== undefined) return `http://${request.headers.host}`;
  return state.origin;
}

function responseTypesFor(state: TargetState): string[] {
  return has(state, 'implicit-advertised') ? ['code', 'token'] : ['code'];
}

function grantTypesFor(state: TargetState): string[] {
  return has(state, 'password-grant-advertised') ? ['authorization_code', 'refresh_token', 'password'] : ['authorization_code', 'refresh_token'];
}

function pkceMethodsFor(state: TargetState): { code_challenge_methods_supported?: string[] } {
  if (has(state, 'pkce-methods-absent')) return {};
  return { code_challenge_methods_supported: has(state, 'pkce-plain-listed') ? ['S256', 'plain'] : ['S256'] };
}

function authorizationEndpointFor(state: TargetState, origin: string): string {
  if (has(state, 'endpoint-javascript-scheme')) return 'javascript:alert(document.domain)//';
  if (has(state, 'endpoint-shell-payload')) return `${origin}/authorize?x=$(id)`;
  const query = state.options.authorizationEndpointQuery;
  return `${origin}/authorize${query !== undefined ? `?${query}` : ''}`;
}

/** RFC 8414 §2 (or OpenID Connect Discovery 1.0 §3): the document of `format`; 404 where this target does not publish that one. */
export function sendAuthorizationServerMetadata(state: TargetState, request: IncomingMessage, response: ServerResponse, format: 'oauth' | 'openid'): void {
  const published = state.options.openIdConfigurationOnly === true ? 'openid' : 'oauth';
  if (has(state, 'no-as-metadata') || format !== published) return sendErrorPage(response, 404, 'Not found');
  const origin = originFor(state, request);
  const offHost = has(state, 'endpoint-off-host');
  sendJson(response, 200, {
    issuer: has(state, 'as-metadata-issuer-mismatch') ? `${origin}/` : origin,
    authorization_endpoint: authorizationEndpointFor(state, origin),
    token_endpoint: has(state, 'token-endpoint-plain-http') ? `http://auth.test:${new URL(state.origin).port}/token` : `${origin}/token`,
    ...(has(state, 'no-registration-options') ? {} : { registration_endpoint: `${origin}/register` }),
    ...(has(state, 'no-revocation-endpoint') ? {} : { revocation_endpoint: offHost ? 'https://revoke.test/revoke' : `${origin}/revoke` }),
    introspection_endpoint: `${origin}/introspect`,
    response_types_supported: responseTypesFor(state),
    grant_types_supported: grantTypesFor(state),
    ...pkceMethodsFor(state),
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    scopes_supported: ['mcp:tools'],
    ...(has(state, 'no-iss-parameter-support') ? {} : { authorization_response_iss_parameter_supported: true }),
    ...(state.options.jwks === true ? { jwks_uri: `${origin}/jwks.json` } : {}),
    ...(state.options.clientIdMetadataDocuments === true ? { client_id_metadata_document_supported: true } : {}),
  });
}

/** RFC 7517 §5: the JWK Set of `jwks_uri` (with the `jwks` option). */
export function sendJwks(state: TargetState, response: ServerResponse): void {
  if (state.options.jwks !== true) return sendErrorPage(response, 404, 'Not found');
  if (has(state, 'jwks-not-a-jwk-set')) return sendJson(response, 200, { keys: 'RS256' });
  const { publicKey, privateKey } = targetSigningKey(state);
  const jwk = (has(state, 'jwks-private-key') ? privateKey : publicKey).export({ format: 'jwk' });
  sendJson(response, 200, { keys: [{ ...jwk, kid: 'target-key-1', use: 'sig', alg: 'RS256' }] });
}
