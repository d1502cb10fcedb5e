import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { NodeRoute } from './node-token-route.js';

export interface RunningHttpServer {
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
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
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
