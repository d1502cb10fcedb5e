import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http-helpers.js';
import type { TargetState } from '../target-state.js';

/** Flaws of the MCP endpoint and its token check (DISC-01, 02, 07, 08; RS-*). */
export type McpFlaw = never;

/** The valid access token of a request, or undefined (RFC 6750 §2.1: the header only). */
function tokenOf(state: TargetState, request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined || !/^Bearer /i.test(header)) return undefined;
  const token = header.slice(7).trim();
  const record = state.accessTokens.get(token);
  if (record === undefined || record.expiresAt <= state.now() || state.revokedFamilies.has(record.family)) return undefined;
  // RFC 8707: a token for another resource is not a token for this one.
  if (record.resource !== `${state.origin}/mcp`) return undefined;
  return token;
}

function challenge(state: TargetState, response: ServerResponse, error?: string): void {
  const metadata = `${state.origin}/.well-known/oauth-protected-resource/mcp`;
  const header = `Bearer resource_metadata="${metadata}"${error !== undefined ? `, error="${error}"` : ''}`;
  sendJson(response, 401, { error: error ?? 'unauthorized' }, { 'www-authenticate': header });
}

/** MCP Streamable HTTP transport, security warning: a local server refuses a foreign Origin and Host (DNS rebinding). */
function isForeign(state: TargetState, request: IncomingMessage): boolean {
  const { host: ownHost, port } = new URL(state.origin);
  const host = request.headers.host;
  if (host !== ownHost && host !== `localhost:${port}`) return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== state.origin && origin !== `http://localhost:${port}`;
}

export async function handleMcp(state: TargetState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (isForeign(state, request)) {
    sendJson(response, 403, { error: 'forbidden origin or host' });
    return;
  }
  const url = new URL(request.url ?? '/', state.origin);
  if (url.searchParams.has('access_token')) {
    challenge(state, response, 'invalid_request');
    return;
  }
  const sent = request.headers.authorization !== undefined;
  const token = tokenOf(state, request);
  if (token === undefined) {
    challenge(state, response, sent ? 'invalid_token' : undefined);
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
  const result =
    message.method === 'initialize'
      ? { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'audit-target', version: '1' } }
      : message.method === 'tools/list'
        ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }
        : {};
  sendJson(response, 200, { jsonrpc: '2.0', id: message.id ?? null, result });
}
