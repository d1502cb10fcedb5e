/**
 * An upstream MCP server whose answers take time, for tests of what happens to calls in flight
 * (shutdown): `slow` answers in JSON after `ms`, `count` streams a progress notification every
 * `intervalMs` over server-sent events and then its result, and GET opens MCP's standalone event
 * stream, which sends a ping event every 100 ms until someone ends it. Stateless (no sessions).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { closeHttpServer } from '../../src/http/close-server.js';

export interface SlowMcpServer {
  /** The MCP endpoint, `http://127.0.0.1:PORT/mcp`. */
  url: string;
  /** Standalone GET streams whose connection the gateway closed. */
  readonly listeningStreamsClosed: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function createSlowMcpServer(): McpServer {
  const server = new McpServer({ name: 'slow', version: '1.0.0' });
  server.registerTool('slow', { description: 'Answers after ms milliseconds', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await sleep(ms);
    return { content: [{ type: 'text', text: `slept ${ms}` }] };
  });
  server.registerTool(
    'count',
    { description: 'Counts to steps, one progress notification every intervalMs', inputSchema: { steps: z.number(), intervalMs: z.number() } },
    async ({ steps, intervalMs }, extra) => {
      const progressToken = extra._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        await sleep(intervalMs);
        if (progressToken !== undefined) {
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps } });
        }
      }
      return { content: [{ type: 'text', text: `counted ${steps}` }] };
    },
  );
  return server;
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.once('error', reject);
  });
}

export async function startSlowMcpServer(): Promise<SlowMcpServer> {
  let listeningStreamsClosed = 0;
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const ping = () =>
        res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'ping' } })}\n\n`);
      ping();
      const timer = setInterval(ping, 100);
      req.socket.once('close', () => {
        clearInterval(timer);
        listeningStreamsClosed += 1;
      });
      return;
    }
    const body = await readBody(req);
    const tool = (body as { params?: { name?: unknown } }).params?.name;
    // `count` answers as a stream of events; everything else as one JSON message.
    // No sessionIdGenerator: stateless, so every call stands alone.
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: tool !== 'count' });
    const server = createSlowMcpServer();
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    get listeningStreamsClosed() {
      return listeningStreamsClosed;
    },
    close: () => closeHttpServer(server),
  };
}
