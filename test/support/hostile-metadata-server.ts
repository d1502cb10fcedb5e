/**
 * A tiny metadata server on loopback that serves whatever documents a test sets: a hostile or
 * broken MCP server and authorization server, for tests of what the client refuses. Every path
 * asked for is recorded, so tests can check the order discovery tried them in.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../../src/http/close-server.js';

export interface HostileServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** JSON documents by path; a path not set answers 404. */
  documents: Map<string, unknown>;
  /** The `WWW-Authenticate` header of the 401 served at `/mcp`, if set. */
  challenge: string | undefined;
  /** Paths requested, in order. */
  requested: string[];
  close(): Promise<void>;
}

export async function startHostileServer(): Promise<HostileServer> {
  const state: Omit<HostileServer, 'origin' | 'close'> = { documents: new Map(), challenge: undefined, requested: [] };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    state.requested.push(path);
    request.resume();
    if (path === '/mcp' && state.challenge !== undefined) {
      response.writeHead(401, { 'WWW-Authenticate': state.challenge, 'Content-Type': 'application/json' });
      response.end('{}');
      return;
    }
    const document = state.documents.get(path);
    if (document === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    origin: `http://127.0.0.1:${port}`,
    close: () => closeHttpServer(server),
  });
}
