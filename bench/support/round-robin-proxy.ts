import { Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal round-robin HTTP reverse proxy for benchmarks: each request goes to the next backend
 * in turn (request 1 to A, 2 to B, 3 to A, …), so the two requests of one authorization-code flow
 * land on different instances. Keep-alive agents on both sides; the `Host` header is passed on
 * unchanged, so every backend sees the public origin (the issuer) clients use. No buffering: the
 * bodies are piped.
 */
export interface RoundRobinProxy {
  readonly url: string;
  /** Requests sent to each backend so far, in backend order. */
  readonly forwarded: readonly number[];
  close(): Promise<void>;
}

export interface RoundRobinProxyOptions {
  /** Backend origins, `http://127.0.0.1:PORT`. */
  backends: readonly string[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

/** Connection-level headers are for one hop only (RFC 9110 §7.6.1) and are not forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) kept[name] = value;
  return kept;
}

export async function startRoundRobinProxy(options: RoundRobinProxyOptions): Promise<RoundRobinProxy> {
  if (options.backends.length === 0) throw new Error('the proxy needs at least one backend');
  const backends = options.backends.map((origin) => {
    const url = new URL(origin);
    return { hostname: url.hostname, port: Number(url.port), agent: new Agent({ keepAlive: true, maxSockets: 256 }) };
  });
  const forwarded = backends.map(() => 0);
  let next = 0;

  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const index = next;
    next = (next + 1) % backends.length;
    forwarded[index]!++;
    const backend = backends[index]!;
    const upstream = request(
      {
        hostname: backend.hostname,
        port: backend.port,
        agent: backend.agent,
        method: incoming.method,
        path: incoming.url,
        headers: endToEnd(incoming.headers),
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(502, { 'Content-Type': 'text/plain' }).end(`proxy: backend ${index} failed: ${error.message}\n`);
    });
    incoming.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    forwarded,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const backend of backends) backend.agent.destroy();
      }),
  };
}
