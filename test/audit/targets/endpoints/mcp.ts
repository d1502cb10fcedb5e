import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { readBody, sendJson } from '../http-helpers.js';
import { has, type TargetState } from '../target-state.js';
import { targetSigningKey } from './metadata.js';

/** Flaws of the MCP endpoint and its token check (DISC-01, 02, 06, 07, 08; RS-*). */
export type McpFlaw =
  /** DISC-01: a request without a token gets 403 instead of a 401 challenge. */
  | 'no-token-forbidden'
  /** DISC-02: the 401's challenge has no `resource_metadata` (the metadata is still at the well-known address). */
  | 'challenge-missing-resource-metadata'
  /** DISC-02: the 401 to a request without a token carries `error="invalid_request"`. */
  | 'challenge-error-without-token'
  /** DISC-06: the challenge asks for `scope="mcp:tools offline_access"`. */
  | 'challenge-offline-access'
  /** DISC-07: the 401 to a trusted web origin does not list `WWW-Authenticate` in `Access-Control-Expose-Headers` (with the `webOrigins` option). */
  | 'cors-hides-www-authenticate'
  /** DISC-08: a foreign `Origin` is not refused. */
  | 'origin-not-validated'
  /** DISC-08: a foreign `Host` is not refused (DNS rebinding). */
  | 'host-not-validated'
  /** RS-01: an unknown token gets a 401 whose challenge has no `error`. */
  | 'invalid-token-no-error-code'
  /** RS-01: an unknown token is refused with 403 instead of 401. */
  | 'invalid-token-forbidden'
  /** RS-01 and RS-02: any bearer token is accepted (only its presence is checked). */
  | 'any-bearer-accepted'
  /** RS-02: an unsigned JWT (`alg: none`) with this issuer and audience is accepted. */
  | 'alg-none-accepted'
  /** RS-02: an HS256 JWT whose HMAC key is the published RSA public key (PEM) is accepted (with the `jwks` option). */
  | 'hs256-public-key-accepted'
  /** RS-02: a JWT is verified with the key in its own `jwk` header, whatever its issuer. */
  | 'embedded-jwk-trusted'
  /** RS-03 (with the authorization endpoint's `foreign-resource-accepted`, which issues such a token): a token issued for another resource is accepted. */
  | 'audience-not-checked'
  /** RS-04: a token in the `access_token` query parameter is accepted. */
  | 'query-token-accepted'
  /** RS-05: a token of the upstream identity provider (see UPSTREAM_TOKEN_PREFIX) is accepted, as a passthrough server does. */
  | 'upstream-token-accepted'
  /** RS-07: a request carrying a session ID the endpoint issued needs no token. */
  | 'session-without-token'
  /** RS-07 (low): a request with a good token and an unknown session ID is answered 500, not 404. */
  | 'stale-session-error-500'
  /** RS-08 (with `extraScope`): a token lacking a needed scope gets 401 invalid_token, not 403 insufficient_scope. */
  | 'no-insufficient-scope'
  /** RS-09: tools/list needs a scope the authorization server never issues and nothing advertises. */
  | 'tools-list-needs-unadvertised-scope';

/** The tokens of the upstream identity provider that `upstream-token-accepted` takes (RS-05's `foreignToken` in the tests). */
export const UPSTREAM_TOKEN_PREFIX = 'upstream.';

/** The session IDs each target issued on `initialize` (MCP Streamable HTTP "Session Management"). */
const SESSIONS = new WeakMap<TargetState, Set<string>>();
const sessionsOf = (state: TargetState): Set<string> => SESSIONS.get(state) ?? SESSIONS.set(state, new Set()).get(state)!;

// A form a correct target may take that is not a flaw (see TargetOptions in target-state.ts).
declare module '../target-state.js' {
  interface TargetOptions {
    /** Browser origins the MCP endpoint trusts besides its own, answering their CORS preflight (a local server's own web app). */
    readonly webOrigins?: readonly string[];
    /**
     * A second scope the authorization server issues and every MCP call needs besides `mcp:tools`,
     * both named in the 401 challenge's `scope` (a server with more than one scope, for RS-08).
     */
    readonly extraScope?: string;
    /** Issues no `Mcp-Session-Id`: a stateless Streamable HTTP server (RS-07 and RS-09 must pass). */
    readonly stateless?: boolean;
  }
}

/** A JWT the endpoint accepts under one of the RS-02 flaws; every check but the flawed one is done. */
async function acceptsFlawedJwt(state: TargetState, token: string): Promise<boolean> {
  const resource = `${state.origin}/mcp`;
  const currentDate = new Date(state.now() * 1000);
  try {
    const { alg } = decodeProtectedHeader(token);
    if (alg === 'none' && has(state, 'alg-none-accepted')) {
      const claims = decodeJwt(token);
      return claims.iss === state.origin && claims.aud === resource && (claims.exp ?? 0) > state.now();
    }
    if (alg === 'HS256' && has(state, 'hs256-public-key-accepted')) {
      const pem = targetSigningKey(state).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await jwtVerify(token, new TextEncoder().encode(pem), { algorithms: ['HS256'], issuer: state.origin, audience: resource, currentDate });
      return true;
    }
    if (has(state, 'embedded-jwk-trusted') && decodeProtectedHeader(token).jwk !== undefined) {
      await jwtVerify(token, EmbeddedJWK, { audience: resource, currentDate });
      return true;
    }
  } catch {
    return false;
  }
  return false;
}

/** The valid access token of a request, or undefined (RFC 6750 §2.1: the header only). */
async function tokenOf(state: TargetState, request: IncomingMessage): Promise<string | undefined> {
  const fromQuery = has(state, 'query-token-accepted') ? new URL(request.url ?? '/', state.origin).searchParams.get('access_token') : null;
  const header = request.headers.authorization ?? (fromQuery !== null ? `Bearer ${fromQuery}` : undefined);
  if (header === undefined || !/^Bearer /i.test(header)) return undefined;
  const token = header.slice(7).trim();
  if (has(state, 'any-bearer-accepted') && token !== '') return token;
  if (has(state, 'upstream-token-accepted') && token.startsWith(UPSTREAM_TOKEN_PREFIX)) return token;
  if (token.split('.').length === 3 && (await acceptsFlawedJwt(state, token))) return token;
  const record = state.accessTokens.get(token);
  if (record === undefined || record.expiresAt <= state.now() || state.revokedFamilies.has(record.family)) return undefined;
  // RFC 8707: a token for another resource is not a token for this one.
  if (record.resource !== `${state.origin}/mcp` && !has(state, 'audience-not-checked')) return undefined;
  return token;
}

/** The CORS headers of an answer to a trusted web origin; none for anyone else. */
function corsHeaders(state: TargetState, request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined || !(state.options.webOrigins ?? []).includes(origin)) return {};
  const exposed = has(state, 'cors-hides-www-authenticate') ? 'Mcp-Session-Id' : 'WWW-Authenticate, Mcp-Session-Id';
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': exposed, vary: 'Origin' };
}

function challenge(state: TargetState, request: IncomingMessage, response: ServerResponse, error?: string): void {
  const metadata = `${state.origin}/.well-known/oauth-protected-resource/mcp`;
  const parameters = [
    ...(has(state, 'challenge-missing-resource-metadata') ? [] : [`resource_metadata="${metadata}"`]),
    ...(has(state, 'challenge-offline-access') ? ['scope="mcp:tools offline_access"'] : []),
    ...(state.options.extraScope !== undefined ? [`scope="mcp:tools ${state.options.extraScope}"`] : []),
    ...(error !== undefined ? [`error="${error}"`] : []),
  ];
  const header = parameters.length > 0 ? `Bearer ${parameters.join(', ')}` : 'Bearer';
  sendJson(response, 401, { error: error ?? 'unauthorized' }, { 'www-authenticate': header, ...corsHeaders(state, request) });
}

/** MCP Streamable HTTP transport, security warning: a local server refuses a foreign Origin and Host (DNS rebinding). */
function isForeign(state: TargetState, request: IncomingMessage): boolean {
  const { host: ownHost, port } = new URL(state.origin);
  const host = request.headers.host;
  if (!has(state, 'host-not-validated') && host !== ownHost && host !== `localhost:${port}`) return true;
  const origin = request.headers.origin;
  const trusted = [state.origin, `http://localhost:${port}`, ...(state.options.webOrigins ?? [])];
  return !has(state, 'origin-not-validated') && origin !== undefined && !trusted.includes(origin);
}

/** Fetch Standard, CORS protocol: the preflight of a trusted web origin. */
function answerPreflight(state: TargetState, request: IncomingMessage, response: ServerResponse): boolean {
  const cors = corsHeaders(state, request);
  if (request.method !== 'OPTIONS' || Object.keys(cors).length === 0) return false;
  response
    .writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': 'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version',
      'access-control-max-age': '600',
    })
    .end();
  return true;
}

/** What an invalid token gets: a 401 `invalid_token` challenge, or (flawed) something else. */
function refuseToken(state: TargetState, request: IncomingMessage, response: ServerResponse): void {
  if (has(state, 'invalid-token-forbidden')) return sendJson(response, 403, { error: 'forbidden' }, corsHeaders(state, request));
  challenge(state, request, response, has(state, 'invalid-token-no-error-code') ? undefined : 'invalid_token');
}

export async function handleMcp(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (isForeign(state, request)) {
    sendJson(response, 403, { error: 'forbidden origin or host' });
    return;
  }
  if (answerPreflight(state, request, response)) return;
  const url = new URL(request.url ?? '/', state.origin);
  if (url.searchParams.has('access_token') && !has(state, 'query-token-accepted')) {
    challenge(state, request, response, 'invalid_request');
    return;
  }
  const sent = request.headers.authorization !== undefined;
  const sessionId = request.headers['mcp-session-id'] as string | undefined;
  const riding = has(state, 'session-without-token') && !sent && sessionId !== undefined && sessionsOf(state).has(sessionId);
  const token = riding ? sessionId : await tokenOf(state, request);
  if (token === undefined) {
    if (sent) refuseToken(state, request, response);
    else if (has(state, 'no-token-forbidden')) sendJson(response, 403, { error: 'forbidden' });
    else challenge(state, request, response, has(state, 'challenge-error-without-token') ? 'invalid_request' : undefined);
    return;
  }
  if (request.method === 'GET') {
    response.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const body = await readBody(request);
  let message: { id?: unknown; method?: unknown } = {};
  try {
    message = JSON.parse(body) as typeof message;
  } catch {
    sendJson(response, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
    return;
  }
  if (sessionId !== undefined && message.method !== 'initialize' && !sessionsOf(state).has(sessionId)) {
    sendJson(response, has(state, 'stale-session-error-500') ? 500 : 404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
    return;
  }
  const missing = missingScopes(state, token, message.method);
  if (missing !== undefined) {
    if (has(state, 'no-insufficient-scope')) return refuseToken(state, request, response);
    const header = `Bearer error="insufficient_scope", scope="${missing.join(' ')}", resource_metadata="${state.origin}/.well-known/oauth-protected-resource/mcp"`;
    return sendJson(response, 403, { error: 'insufficient_scope' }, { 'www-authenticate': header, ...corsHeaders(state, request) });
  }
  const session = message.method === 'initialize' && state.options.stateless !== true ? randomBytes(16).toString('base64url') : undefined;
  if (session !== undefined) {
    sessionsOf(state).add(session);
    state.issuedSecrets.push(session);
  }
  const result =
    message.method === 'initialize'
      ? { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'audit-target', version: '1' } }
      : message.method === 'tools/list'
        ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }
        : {};
  sendJson(
    response,
    200,
    { jsonrpc: '2.0', id: message.id ?? null, result },
    { ...corsHeaders(state, request), ...(session !== undefined ? { 'mcp-session-id': session } : {}) },
  );
}

/**
 * The scopes a call needs that its token lacks (RFC 6750 §3.1), or undefined: with `extraScope`,
 * every call needs `mcp:tools` and that scope; `tools-list-needs-unadvertised-scope` adds one to
 * tools/list that no one can have. Tokens the target did not issue (accepted under a flaw) are
 * not scope-checked.
 */
function missingScopes(state: TargetState, token: string, method: unknown): string[] | undefined {
  const record = state.accessTokens.get(token);
  if (record === undefined) return undefined;
  const needed = [
    ...(state.options.extraScope !== undefined ? ['mcp:tools', state.options.extraScope] : []),
    ...(method === 'tools/list' && has(state, 'tools-list-needs-unadvertised-scope') ? ['mcp:admin'] : []),
  ];
  const held = record.scope.split(' ');
  return needed.some((scope) => !held.includes(scope)) ? needed : undefined;
}
