/**
 * The client the MCP conformance suite tests: a small MCP app built on `portcullis/client`, as a
 * real app would build one (docs/client.md), with a real SQLite store, a keyring and the MCP SDK's
 * `Client` over `StreamableHTTPClientTransport`.
 *
 * The runner starts it once per scenario as `<command> <server-url>`, with the scenario in
 * `MCP_CONFORMANCE_SCENARIO` and, for scenarios that need them, pre-registered client credentials
 * in `MCP_CONFORMANCE_CONTEXT` (JSON). The app connects, lists the tools and calls one. When the
 * SDK needs a login (a 401, or a 403 `insufficient_scope` step-up) the library hands the
 * authorization URL to `onAuthorizationUrl`; the "browser" here fetches it without following
 * redirects (the suite's authorization servers approve at once and answer 302 to the redirect
 * URI), the SDK throws `UnauthorizedError`, and the app finishes with `callback(query)` (which
 * checks `state` and `iss`) and retries, as a web app does when the browser comes back.
 *
 * It refuses what it must refuse by failing: a library error ends the run with exit code 1 and
 * one line on stderr, which the suite reads as the client declining to go on.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isJSONRPCErrorResponse, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createKeyring, createMcpOAuth, detectAuth, type McpOAuth, type PreRegisteredClient } from '../../src/client/index.js';
import { openStore } from '../../src/store/index.js';

/** Where the authorization server sends the "browser" back. Nothing listens: the query is read from the 302. */
const REDIRECT_URL = 'http://localhost:3000/callback';
/** The suite's Client ID Metadata Document URL; used only where the server advertises support. */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
/**
 * Logins one run of the app may start. A person is not sent to the login page a fourth time for
 * one task: a server that keeps refusing the scope it was just granted will not be satisfied by
 * more (the suite's auth/scope-retry-limit asks for 3 or fewer).
 */
const MAX_LOGINS = 3;

/**
 * The protocol version the scenario's server speaks. From 2026-07-28 MCP is stateless (no
 * `initialize`; every request carries its version and client info in `_meta`), which the SDK's
 * `Client` (1.x) does not speak yet; the SDK's transport, which drives the OAuth flow, does.
 */
const PROTOCOL_VERSION = process.env['MCP_CONFORMANCE_PROTOCOL_VERSION'] ?? '2025-11-25';
const STATELESS = PROTOCOL_VERSION >= '2026-07-28';

/** Pre-registered credentials, for the scenarios whose server has no registration endpoint. */
const ContextSchema = z.object({ client_id: z.string().min(1), client_secret: z.string().min(1).optional() }).passthrough();

async function main(): Promise<void> {
  const serverUrl = process.argv.at(-1);
  if (serverUrl === undefined || !/^https?:\/\//.test(serverUrl)) throw new Error('usage: client-app.ts <mcp-server-url>');
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-conformance-app-'));
  const store = await openStore(`sqlite:${join(dir, 'client.db')}`);
  try {
    const oauth = createMcpOAuth({
      store: store.mcpClient,
      keyring: createKeyring([randomBytes(32).toString('base64url')]),
      userId: 'conformance-user',
      serverUrl,
      redirectUrl: REDIRECT_URL,
      clientMetadata: { client_name: 'Portcullis conformance app', redirect_uris: [REDIRECT_URL] },
      clientMetadataUrl: CLIENT_METADATA_URL,
      preRegistered: await preRegisteredFromContext(serverUrl),
      onAuthorizationUrl: (url) => browser.open(url),
    });
    await useServer(oauth);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The app's configuration of a pre-registered client, for the authorization server the server names. */
async function preRegisteredFromContext(serverUrl: string): Promise<PreRegisteredClient[]> {
  const raw = process.env['MCP_CONFORMANCE_CONTEXT'];
  if (raw === undefined) return [];
  const context = ContextSchema.safeParse(JSON.parse(raw));
  if (!context.success) return [];
  // An operator configures credentials per authorization server; here that server is learnt first.
  const { issuer } = await detectAuth(serverUrl);
  if (issuer === undefined) throw new Error(`${serverUrl} names no authorization server for the pre-registered client`);
  return [{ issuer, clientId: context.data.client_id, ...(context.data.client_secret !== undefined ? { clientSecret: context.data.client_secret } : {}) }];
}

/**
 * A stand-in for the person's browser: it "opens" the authorization URL and remembers where the
 * authorization server sent it back, for the app's redirect handler to finish the login.
 */
const browser = {
  returned: undefined as URLSearchParams | undefined,
  logins: 0,
  async open(url: URL): Promise<void> {
    if (++this.logins > MAX_LOGINS) throw new Error(`gave up after ${MAX_LOGINS} logins in one session`);
    const response = await fetch(url, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (location === null) throw new Error(`the authorization endpoint answered ${response.status} without a redirect`);
    const back = new URL(location, url);
    if (`${back.origin}${back.pathname}` !== REDIRECT_URL)
      throw new Error(`the authorization server redirected to ${back.origin}${back.pathname}, not to the redirect URI`);
    this.returned = back.searchParams;
  },
};

/** Runs `operation`; when the SDK stopped for a login, finishes it from the redirect and tries again. */
async function withLogin<T>(oauth: McpOAuth, operation: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const query = browser.returned;
      if (!(error instanceof UnauthorizedError) || query === undefined) throw error;
      browser.returned = undefined;
      await oauth.callback(query);
    }
  }
}

async function useServer(oauth: McpOAuth): Promise<void> {
  const session = STATELESS ? await openStatelessSession(oauth) : await openSession(oauth);
  try {
    const tools = await withLogin(oauth, () => session.listTools());
    const tool = tools[0];
    if (tool !== undefined) await withLogin(oauth, () => session.callTool(tool));
    console.error(`${PROTOCOL_VERSION}: connected, listed ${tools.length} tool(s)${tool !== undefined ? `, called ${tool}` : ''}`);
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** What the app does with a server, on either lifecycle. */
interface McpSession {
  listTools(): Promise<string[]>;
  callTool(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Up to 2025-11-25: the SDK's `Client`, with `initialize`. */
async function openSession(oauth: McpOAuth): Promise<McpSession> {
  // A login interrupts connect() half-way, so each attempt gets a fresh client and transport.
  const { client, transport } = await withLogin(oauth, async () => {
    const transport = new StreamableHTTPClientTransport(new URL(oauth.serverUrl), { authProvider: oauth, fetch: oauth.fetch });
    const client = new Client({ name: 'portcullis-conformance-app', version: '1.0.0' }, { capabilities: {} });
    try {
      await client.connect(transport);
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw error;
    }
    return { client, transport };
  });
  return {
    listTools: async () => (await client.listTools()).tools.map((tool) => tool.name),
    callTool: async (name) => void (await client.callTool({ name, arguments: {} })),
    close: () => transport.close(),
  };
}

/**
 * From 2026-07-28: JSON-RPC requests over the SDK's transport (which answers 401 and 403 through
 * the provider exactly as for the `Client`), each with the version header and the `_meta` keys.
 */
async function openStatelessSession(oauth: McpOAuth): Promise<McpSession> {
  const transport = new StreamableHTTPClientTransport(new URL(oauth.serverUrl), { authProvider: oauth, fetch: oauth.fetch });
  const pending = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  transport.onmessage = (message: JSONRPCMessage) => {
    if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return;
    const waiting = pending.get(Number(message.id));
    pending.delete(Number(message.id));
    if (isJSONRPCErrorResponse(message)) waiting?.reject(new Error(`${message.error.code} ${message.error.message}`));
    else waiting?.resolve(message.result);
  };
  await transport.start();
  transport.setProtocolVersion(PROTOCOL_VERSION);
  let nextId = 1;
  async function request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = nextId++;
    const answered = new Promise<Record<string, unknown>>((resolve, reject) => pending.set(id, { resolve, reject }));
    const meta = {
      'io.modelcontextprotocol/protocolVersion': PROTOCOL_VERSION,
      'io.modelcontextprotocol/clientInfo': { name: 'portcullis-conformance-app', version: '1.0.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    try {
      await transport.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } });
    } catch (error) {
      pending.delete(id);
      throw error;
    }
    return answered;
  }
  return {
    listTools: async () => {
      const { tools } = z.object({ tools: z.array(z.object({ name: z.string() })) }).parse(await request('tools/list'));
      return tools.map((tool) => tool.name);
    },
    callTool: async (name) => void (await request('tools/call', { name, arguments: {} })),
    close: () => transport.close(),
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const code = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
    console.error(`client-app: ${error instanceof Error ? error.message : String(error)}${code}`);
    process.exit(1);
  },
);
