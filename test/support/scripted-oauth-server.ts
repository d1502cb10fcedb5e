/**
 * A small HTTP server on loopback for client tests that must see what the client sends: every
 * request is recorded with its method, path, query, headers and body, and each path answers with
 * what the test's handler returns (JSON), or 404. Used to play an MCP server, its
 * protected-resource metadata and one or more authorization servers whose documents a test
 * changes between steps (an authorization-server migration, a root metadata document, a token
 * endpoint that checks HTTP Basic credentials its own way).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../../src/http/close-server.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as a form (token, revocation requests). */
  form: URLSearchParams;
}

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  /** A redirect (the authorization endpoint). */
  location?: string;
}

export type ScriptedHandler = (request: RecordedRequest) => ScriptedAnswer | undefined;

export interface ScriptedServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Handlers by path; a handler returning undefined, or a path without one, answers 404. */
  routes: Map<string, ScriptedHandler>;
  requests: RecordedRequest[];
  /** Serves a fixed JSON document at `path` (any method). */
  serve(path: string, document: unknown): void;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const routes = new Map<string, ScriptedHandler>();
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        form: new URLSearchParams(body),
      };
      requests.push(recorded);
      const answer = routes.get(url.pathname)?.(recorded);
      if (answer === undefined) {
        response.writeHead(404).end();
        return;
      }
      if (answer.location !== undefined) {
        response.writeHead(answer.status ?? 302, { Location: answer.location }).end();
        return;
      }
      response.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.json ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    routes,
    requests,
    serve(path, document) {
      routes.set(path, () => ({ json: document }));
    },
    close: () => closeHttpServer(server),
  };
}

/** The metadata of a test authorization server at `issuer` whose endpoints are on `origin`. */
export function authorizationServerDocument(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    ...overrides,
  };
}

/**
 * The usual cast: an MCP server at `/mcp` whose path-inserted protected-resource metadata names
 * the authorization server at `issuerPath`, whose metadata and DCR endpoint (answering
 * `clientId`, a public client) are served too.
 */
export function serveMcpServerAndAuthorizationServer(server: ScriptedServer, issuerPath: string, clientId: string): void {
  const issuer = `${server.origin}${issuerPath}`;
  server.serve('/.well-known/oauth-protected-resource/mcp', { resource: `${server.origin}/mcp`, authorization_servers: [issuer] });
  server.serve(`/.well-known/oauth-authorization-server${issuerPath}`, authorizationServerDocument(issuer));
  server.serve(`${issuerPath}/register`, { client_id: clientId, token_endpoint_auth_method: 'none' });
}

/** The callback query an authorization server would send back for `authorizationUrl` (approved). */
export function approvedCallback(authorizationUrl: URL, issuer: string, code = 'test-code'): URLSearchParams {
  return new URLSearchParams({ code, state: authorizationUrl.searchParams.get('state') ?? '', iss: issuer });
}
