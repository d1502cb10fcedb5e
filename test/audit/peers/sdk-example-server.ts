/**
 * A peer no one here wrote, as people copy it: what the MCP TypeScript SDK's own example runs with
 * `simpleStreamableHttp.js --oauth --oauth-strict` (node_modules/@modelcontextprotocol/sdk/dist/esm/
 * examples/server/). Its `setupAuthServer` (the demo in-memory provider behind `mcpAuthRouter`,
 * `strictResource: true`) on one loopback port, and on another an Express MCP server with the
 * SDK's `mcpAuthMetadataRouter` and `requireBearerAuth`, whose verifier asks the auth server's
 * `/introspect` exactly as the example's does. The example's code is followed, not improved; only
 * its other tools, its task store and its logging of request bodies are left out, and the ports
 * are free ones instead of 3000 and 3001 (on 127.0.0.1, the address the auditor is given).
 *
 * Run as a child process (`setupAuthServer` listens and gives no way to close it): prints one
 * JSON line `{ "mcp": "http://127.0.0.1:P/mcp" }` on stdout once both answer, and dies with its
 * parent (stdin closed) or a signal. Everything the SDK logs goes to stderr.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { setupAuthServer } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Request, Response } from 'express';
import * as z from 'zod/v4';

// stdout carries the one JSON line; the SDK's console.log goes to stderr.
console.log = (...args: unknown[]) => console.error(...args);

/** A port nothing listens on now (setupAuthServer takes a URL with its port, not a server). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const MCP_PORT = await freePort();
const AUTH_PORT = await freePort();

const getServer = () => {
  const server = new McpServer({ name: 'simple-streamable-http-server', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool(
    'greet',
    { title: 'Greeting Tool', description: 'A simple greeting tool', inputSchema: { name: z.string().describe('Name to greet') } },
    async ({ name }) => ({ content: [{ type: 'text', text: `Hello, ${name}!` }] }),
  );
  return server;
};

const app = createMcpExpressApp();

// As the example with --oauth --oauth-strict.
const mcpServerUrl = new URL(`http://127.0.0.1:${MCP_PORT}/mcp`);
const authServerUrl = new URL(`http://127.0.0.1:${AUTH_PORT}`);
const oauthMetadata = setupAuthServer({ authServerUrl, mcpServerUrl, strictResource: true });
const tokenVerifier = {
  verifyAccessToken: async (token: string): Promise<AuthInfo> => {
    const endpoint = oauthMetadata.introspection_endpoint;
    if (!endpoint) {
      throw new Error('No token verification endpoint available in metadata');
    }
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: token }).toString(),
    });
    if (!response.ok) {
      const text = await response.text().catch(() => null);
      throw new Error(`Invalid or expired token: ${text}`);
    }
    const data = (await response.json()) as { aud?: string | string[]; client_id: string; scope?: string; exp: number };
    // `aud` is one value, a list, or absent: report the entry on this server's origin, if any
    const audience = [data.aud ?? []].flat().find((aud) => URL.canParse(aud) && new URL(aud).origin === mcpServerUrl.origin);
    return {
      token,
      clientId: data.client_id,
      scopes: data.scope ? data.scope.split(' ') : [],
      expiresAt: data.exp,
      ...(audience ? { resource: new URL(audience) } : {}),
    };
  },
};
app.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: mcpServerUrl, scopesSupported: ['mcp:tools'], resourceName: 'MCP Demo Server' }));
const authMiddleware = requireBearerAuth({
  verifier: tokenVerifier,
  requiredScopes: [],
  resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpServerUrl),
  expectedResource: mcpServerUrl,
});

const transports = new Map<string, StreamableHTTPServerTransport>();

const mcpPostHandler = async (req: Request, res: Response) => {
  const sessionId = req.headers['mcp-session-id'];
  try {
    let transport: StreamableHTTPServerTransport;
    if (typeof sessionId === 'string' && transports.has(sessionId)) {
      transport = transports.get(sessionId)!;
    } else if (!sessionId && isInitializeRequest(req.body)) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, transport);
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) transports.delete(transport.sessionId);
      };
      await getServer().connect(transport);
      await transport.handleRequest(req, res, req.body);
      return;
    } else if (sessionId) {
      res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
      return;
    } else {
      res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
      return;
    }
    await transport.handleRequest(req, res, req.body);
  } catch {
    if (!res.headersSent) res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
  }
};

const mcpSessionHandler = async (req: Request, res: Response) => {
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId !== 'string') {
    res.status(400).send('Missing session ID');
    return;
  }
  const transport = transports.get(sessionId);
  if (!transport) {
    res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
    return;
  }
  await transport.handleRequest(req, res);
};

app.post('/mcp', authMiddleware, mcpPostHandler);
app.get('/mcp', authMiddleware, mcpSessionHandler);
app.delete('/mcp', authMiddleware, mcpSessionHandler);

await new Promise<void>((resolve, reject) => {
  app.listen(MCP_PORT, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve()));
});

// setupAuthServer listens without saying when: wait for its metadata before announcing.
const asMetadata = new URL('/.well-known/oauth-authorization-server', authServerUrl);
for (let attempt = 0; ; attempt++) {
  const up = await fetch(asMetadata).then(
    (response) => response.ok,
    () => false,
  );
  if (up) break;
  if (attempt > 100) throw new Error('the SDK auth server did not start');
  await new Promise((resolve) => setTimeout(resolve, 50));
}

process.stdout.write(`${JSON.stringify({ mcp: mcpServerUrl.href, authorizationServer: authServerUrl.href })}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
