import { decodeJwt, decodeProtectedHeader } from 'jose';
import { canonicalResource } from '../../../core/resource-uri.js';
import { parseChallenge } from '../../../core/www-authenticate.js';
import { INITIALIZE_REQUEST, MCP_POST_HEADERS } from '../../facts/challenge.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import type { Probe } from '../../probe.js';

/** One request to the MCP endpoint: `initialize` by default, with the token in the Authorization header unless told otherwise. */
export interface ResourceCall {
  /** Sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** Added to the MCP URL's query (RS-04 puts the token there). */
  readonly query?: Readonly<Record<string, string>>;
  readonly sessionId?: string;
  readonly protocolVersion?: string;
  /** A JSON-RPC body; `initialize` when absent. */
  readonly body?: string;
}

/** POSTs a JSON-RPC message to the MCP endpoint, as a Streamable HTTP client does; a session ID it answers with is remembered for redaction. @see MCP Transports, "Streamable HTTP" */
export async function callResource(probe: Probe, call: ResourceCall): Promise<ProbeResponse> {
  const url = new URL(probe.settings.target.href);
  for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { ...MCP_POST_HEADERS };
  if (call.token !== undefined) headers['authorization'] = `Bearer ${call.token}`;
  if (call.sessionId !== undefined) headers['mcp-session-id'] = call.sessionId;
  if (call.protocolVersion !== undefined) headers['mcp-protocol-version'] = call.protocolVersion;
  const response = await probe.fetch(url, { method: 'POST', headers, body: call.body ?? INITIALIZE_REQUEST });
  // A session ID is a handle to a user's session (MCP Security Best Practices, "Session Hijacking"): kept out of reports.
  probe.remember(response.headers.get('mcp-session-id') ?? undefined);
  return response;
}

/**
 * What the MCP endpoint made of a token: `accepted` (2xx), `refused` (401: not a token for this
 * server), `forbidden` (403: a token it recognised, lacking a scope), or `unclear` (anything else,
 * which says nothing about the token).
 */
export type TokenUse = 'accepted' | 'refused' | 'forbidden' | 'unclear';

export function tokenUseOf(response: ProbeResponse): TokenUse {
  if (response.status >= 200 && response.status < 300) return 'accepted';
  if (response.status === 401) return 'refused';
  if (response.status === 403) return 'forbidden';
  return 'unclear';
}

/** Presents `token` to the MCP endpoint with `initialize`, the first request of every MCP client. */
export async function presentToken(probe: Probe, token: string): Promise<{ readonly use: TokenUse; readonly response: ProbeResponse }> {
  const response = await callResource(probe, { token });
  return { use: tokenUseOf(response), response };
}

/** The parameters of a response's Bearer challenge, or null. */
export function bearerChallengeOf(response: ProbeResponse): Readonly<Record<string, string>> | null {
  const header = response.headers.get('www-authenticate');
  return header === null ? null : parseChallenge(header, 'Bearer');
}

/** "401 invalid_token", "200": a resource answer for a summary (the challenge's `error` only when it is a printable code). */
export function describeResourceAnswer(response: ProbeResponse): string {
  const error = bearerChallengeOf(response)?.['error'];
  return `${response.status}${error !== undefined && /^[\x20-\x7e]{1,64}$/.test(error) ? ` ${error}` : ''}`;
}

/**
 * A resource next to the MCP server's, which no token for the MCP server may be good for: the
 * MCP URL's path with `-sibling` appended (`https://a.example/mcp` → `https://a.example/mcp-sibling`),
 * on the same origin, as a second MCP server of the same operator would be.
 * @see MCP Authorization (2026-07-28) "Token Audience Binding and Validation"; RFC 8707 §2
 */
export function siblingResource(target: URL): string {
  const url = new URL(canonicalResource(target.href));
  url.hash = '';
  url.search = '';
  url.pathname = `${url.pathname.replace(/\/$/, '')}-sibling`;
  return url.href;
}

/** The claims of a JWT access token (RFC 9068), decoded without verification, or undefined for an opaque token. */
export function jwtClaimsOf(token: string): Readonly<Record<string, unknown>> | undefined {
  try {
    if (typeof decodeProtectedHeader(token).alg !== 'string') return undefined;
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** A JWT's `aud`, as a list (RFC 7519 §4.1.3: a string or an array of strings). */
export function audiencesOf(claims: Readonly<Record<string, unknown>>): string[] {
  const aud = claims['aud'];
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((value): value is string => typeof value === 'string') : [];
}

/** Whether `audiences` names `resource`, compared in canonical form (MCP Authorization "Canonical Server URI"). */
export function namesResource(audiences: readonly string[], resource: string): boolean {
  const wanted = canonicalResource(resource);
  return audiences.some((audience) => URL.canParse(audience) && canonicalResource(audience) === wanted);
}

/** A JSON-RPC request body. */
export function jsonRpcRequest(id: number, method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/**
 * The JSON-RPC messages of an MCP endpoint's answer: the JSON body, or the `data` of each event of
 * a `text/event-stream` body (Streamable HTTP may answer either way).
 * @see MCP Transports, "Streamable HTTP" (sending messages to the server)
 */
export function jsonRpcMessagesOf(response: ProbeResponse): Record<string, unknown>[] {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!/text\/event-stream/i.test(response.headers.get('content-type') ?? '')) {
    const body = response.json();
    return Array.isArray(body) ? body.filter(isObject) : isObject(body) ? [body] : [];
  }
  const messages: Record<string, unknown>[] = [];
  for (const event of response.text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '') continue;
    try {
      const parsed: unknown = JSON.parse(data);
      if (isObject(parsed)) messages.push(parsed);
    } catch {
      // Not JSON: not a message.
    }
  }
  return messages;
}
