import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import {
  type ClientMetadataDocumentOptions,
  type ClientMetadataDocumentResolver,
  createClientMetadataDocumentResolver,
} from '../../../src/server/clients/client-metadata-document.js';

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02; MCP Authorization
 * 2026-07-28), shared by the client-metadata-document*.test.ts files. Happy paths fetch from a real
 * loopback server under the dangerous loopback switch; the SSRF tests run without it, with socket
 * connections trapped so nothing is ever sent anywhere.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse, url: string) => void;

/** Refused as `invalid_client`, for the reason the private detail names (never the public text). */
export function refusedFor(reason: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${String(error)}`);
    assert.equal(error.code, 'invalid_client');
    assert.equal(error.status, 401);
    assert.ok(error.detail?.startsWith(`${reason}:`), `expected reason ${reason}, got detail ${error.detail}`);
    return true;
  };
}

export const document = (clientId: string, extra: Record<string, unknown> = {}) => ({
  client_id: clientId,
  client_name: 'Doc Client',
  redirect_uris: ['http://127.0.0.1:3000/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...extra,
});

export const serveJson =
  (body: (url: string) => unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res, url) => {
    res.writeHead(200, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body(url)));
  };

export interface DocumentServer {
  /** `http://127.0.0.1:PORT`. */
  readonly base: string;
  /** The paths requested since the test began. */
  readonly requests: string[];
  /** What the server answers. */
  handler: Handler;
  /** A resolver under the dangerous loopback switch, as these tests need to reach the server. */
  resolver(options?: ClientMetadataDocumentOptions): ClientMetadataDocumentResolver;
}

/** A loopback document server for the tests of the `describe` this is called in (hooks included). */
export function useDocumentServer(): DocumentServer {
  let server: Server;
  const state: DocumentServer = {
    base: '',
    requests: [],
    handler: () => {},
    resolver: (options = {}) => createClientMetadataDocumentResolver({ dangerouslyAllowLoopback: true, ...options }),
  };
  before(async () => {
    server = createServer((req, res) => {
      state.requests.push(req.url!);
      state.handler(req, res, `${state.base}${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    (state as { base: string }).base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    state.requests.length = 0;
  });
  return state;
}
