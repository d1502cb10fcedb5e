import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../../../src/http/close-server.js';
import { handleAuthorize, handleConsentDecision, handleLogin } from './endpoints/authorize.js';
import { admitMetadataDocumentClient } from './endpoints/client-metadata-document.js';
import { handleMcp } from './endpoints/mcp.js';
import { sendAuthorizationServerMetadata, sendJwks, sendResourceMetadata } from './endpoints/metadata.js';
import { handleRegister } from './endpoints/register.js';
import { handleIntrospect, handleRevoke } from './endpoints/revocation.js';
import { handleToken } from './endpoints/token.js';
import type { Flaw } from './flaws.js';
import { readForm, sendErrorPage } from './http-helpers.js';
import type { TargetOptions, TargetState } from './target-state.js';

export interface AuditTarget {
  /** `http://127.0.0.1:PORT/mcp`: what the auditor is pointed at. */
  readonly url: string;
  readonly state: TargetState;
  close(): Promise<void>;
}

/**
 * Starts an audit target on 127.0.0.1: an MCP endpoint at /mcp and its authorization server at
 * the same origin (metadata, registration, authorization that approves at once, token with PKCE
 * and refresh rotation, revocation, introspection), with the given flaws and no others.
 */
export async function startAuditTarget(flaws: readonly Flaw[] = [], options: TargetOptions = {}): Promise<AuditTarget> {
  let clock = Math.floor(Date.now() / 1000);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: TargetState = {
    origin,
    flaws: new Set(flaws),
    options,
    clients: new Map(),
    codes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    revokedFamilies: new Set(),
    issuedSecrets: [],
    now: () => clock,
  };
  server.on('request', (request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const route = `${request.method} ${url.pathname}`;
    const work = (async () => {
      if (url.pathname === '/mcp') return handleMcp(state, request, response);
      if (route === 'GET /.well-known/oauth-protected-resource/mcp' || route === 'GET /.well-known/oauth-protected-resource')
        return sendResourceMetadata(state, response);
      if (route === 'GET /.well-known/oauth-authorization-server') return sendAuthorizationServerMetadata(state, request, response, 'oauth');
      if (route === 'GET /.well-known/openid-configuration') return sendAuthorizationServerMetadata(state, request, response, 'openid');
      if (route === 'GET /jwks.json') return sendJwks(state, response);
      if (route === 'GET /authorize') {
        await admitMetadataDocumentClient(state, url);
        return handleAuthorize(state, url, response, request.headers.cookie);
      }
      if (route === 'POST /authorize') return handleConsentDecision(state, await readForm(request), response, request.headers.cookie);
      if (route === 'POST /login') return handleLogin(state, await readForm(request), response);
      if (route === 'POST /token') return handleToken(state, request, response);
      if (route === 'POST /register' || (request.method === 'DELETE' && url.pathname.startsWith('/register/')))
        return handleRegister(state, request, url, response);
      if (route === 'POST /revoke') return handleRevoke(state, request, response);
      if (route === 'POST /introspect') return handleIntrospect(state, request, response);
      return sendErrorPage(response, 404, 'Not found');
    })();
    work.catch(() => {
      if (!response.headersSent) sendErrorPage(response, 500, 'Internal error');
    });
  });
  return {
    url: `${origin}/mcp`,
    state: Object.assign(state, { advance: (seconds: number) => (clock += seconds) }),
    close: () => closeHttpServer(server),
  };
}
