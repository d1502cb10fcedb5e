import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type DrainOptions, type DrainResult, drainableHttpServer } from '../../http/close-server.js';
import type { NodeRoute } from './node-token-route.js';

export interface RunningHttpServer {
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly port: number;
  /** Stops at once: open connections are cut, requests being answered with them. */
  close(): Promise<void>;
  /** Stops accepting and lets the requests being answered finish within a grace (close-server.ts). */
  drain(options: DrainOptions): Promise<DrainResult>;
}

export interface ListenOptions {
  port: number;
  host: string;
  /** Routes node:http answers before the web-standard adapter (the authorization server's `nodeRoute`). */
  nodeRoute?: NodeRoute;
}

/** Serves a fetch handler over node:http (the thin adapter: handlers stay web-standard). */
export function listen(fetch: (request: Request, env?: unknown) => Response | Promise<Response>, options: ListenOptions): Promise<RunningHttpServer> {
  const { nodeRoute } = options;
  const createNodeServer = (serverOptions: object, adapter: RequestListener) =>
    createServer(
      serverOptions,
      nodeRoute === undefined ? adapter : (request: IncomingMessage, response: ServerResponse) => nodeRoute(request, response) || adapter(request, response),
    );
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: options.port, hostname: options.host, createServer: createNodeServer as never }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        drain: (drainOptions) => drainer.drain(drainOptions),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    // Watching from the start: a drain must know every request being answered when it begins.
    const drainer = drainableHttpServer(server as unknown as Server);
    server.once('error', reject);
  });
}
