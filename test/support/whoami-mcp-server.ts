/**
 * A tiny MCP server for the middleware tests: `whoami` returns the `authInfo` the SDK handed to
 * the tool (what the middleware set), `delete_note` echoes its argument. Plus an SDK client that
 * sends a fixed bearer token.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export function createWhoamiServer(): McpServer {
  const server = new McpServer({ name: 'whoami', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who is calling' }, async (extra) => ({
    content: [{ type: 'text', text: JSON.stringify({ ...extra.authInfo, resource: extra.authInfo?.resource?.href }) }],
  }));
  server.registerTool('delete_note', { description: 'Deletes a note', inputSchema: { id: z.number() } }, async ({ id }) => ({
    content: [{ type: 'text', text: `deleted ${id}` }],
  }));
  return server;
}

/** Connects the SDK client to `url` with `token` in the Authorization header. */
export async function connectWithToken(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

/** The `whoami` tool's answer. */
export async function whoami(client: Client): Promise<Record<string, unknown>> {
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  const content = result.content as { type: string; text: string }[];
  return JSON.parse(content[0]!.text) as Record<string, unknown>;
}

/** A raw MCP POST, as a client would send it. */
export function mcpPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18', ...headers },
    body: JSON.stringify(body),
  });
}

export const DELETE_NOTE_CALL = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'delete_note', arguments: { id: 3 } } };
