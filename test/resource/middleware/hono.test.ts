import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { parseChallenge } from '../../../src/core/www-authenticate.js';
import { createJwtVerifier } from '../../../src/resource/jwt-verifier.js';
import { type BearerAuthEnv, bearerAuth, protectedResourceMetadataMiddleware } from '../../../src/resource/middleware/hono.js';
import { buildProtectedResourceMetadata } from '../../../src/resource/protected-resource-metadata.js';
import { parseScopePolicy } from '../../../src/resource/scope-policy.js';
import { listen, type RunningHttpServer } from '../../../src/server/http/listen.js';
import { RESOURCE_A, startTokenIssuer, type TokenIssuer } from '../../support/access-tokens.js';
import { connectWithToken, createWhoamiServer, DELETE_NOTE_CALL, mcpPost, whoami } from '../../support/whoami-mcp-server.js';
import { countingGuard, describeCachedTokenFastPath, itRefusesLikeEveryAdapter } from './cases.js';

/**
 * The Hono adapter over real HTTP, in front of the MCP SDK's web-standard Streamable HTTP
 * transport: the guard reads the body for the scope policy and the transport still gets it.
 */

describe('Hono middleware with the MCP SDK server', () => {
  let issuer: TokenIssuer;
  let http: RunningHttpServer;
  let mcpUrl: string;
  let readToken: string;
  let writeToken: string;

  before(async () => {
    issuer = await startTokenIssuer();
    readToken = await issuer.accessToken({ scope: 'read' });
    writeToken = await issuer.accessToken({ scope: 'read write' });
    const verifier = createJwtVerifier({ issuer: issuer.server.url, audience: RESOURCE_A, jwksUri: issuer.as.jwks_uri });
    const guard = { verifier, resource: RESOURCE_A, scopePolicy: parseScopePolicy({ required: ['read'], tools: { delete_note: ['write'] } }) };

    const app = new Hono<BearerAuthEnv>();
    app.use('*', protectedResourceMetadataMiddleware(buildProtectedResourceMetadata({ resource: RESOURCE_A, authorizationServers: [issuer.server.url] })));
    app.use('/mcp', bearerAuth(guard));
    app.post('/mcp', async (c) => {
      const server = createWhoamiServer();
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
      await server.connect(transport);
      return transport.handleRequest(c.req.raw, { authInfo: c.get('authInfo') });
    });
    // A handler that reads the body through HonoRequest after the guard did.
    app.use('/echo', bearerAuth(guard));
    app.post('/echo', async (c) => c.json({ body: await c.req.json(), subject: c.get('identity').subject }));
    // The guard after a middleware that already consumed the body.
    app.use('/pre-read', async (c, next) => {
      await c.req.json();
      await next();
    });
    app.use('/pre-read', bearerAuth(guard));
    app.post('/pre-read', (c) => c.json({ ok: true }));

    http = await listen((request) => app.fetch(request), { port: 0, host: '127.0.0.1' });
    mcpUrl = `${http.url}/mcp`;
  });
  after(async () => {
    await http.close();
    await issuer.close();
  });

  it('gives the SDK transport the body and the identity as authInfo', async () => {
    const client = await connectWithToken(mcpUrl, writeToken);
    const info = await whoami(client);
    const deleted = await client.callTool({ name: 'delete_note', arguments: { id: 3 } });
    await client.close();
    assert.equal(info['clientId'], issuer.clientId);
    assert.deepEqual(info['scopes'], ['read', 'write']);
    assert.deepEqual(deleted.content, [{ type: 'text', text: 'deleted 3' }]);
  });

  it('leaves the body readable with c.req.json() and sets identity', async () => {
    const response = await mcpPost(`${http.url}/echo`, DELETE_NOTE_CALL, { Authorization: `Bearer ${writeToken}` });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { body: unknown; subject: string };
    assert.deepEqual(body.body, DELETE_NOTE_CALL);
    assert.equal(typeof body.subject, 'string');
  });

  it('still checks tool scopes when an earlier middleware read the body', async () => {
    assert.equal((await mcpPost(`${http.url}/pre-read`, DELETE_NOTE_CALL, { Authorization: `Bearer ${readToken}` })).status, 403);
    assert.equal((await mcpPost(`${http.url}/pre-read`, DELETE_NOTE_CALL, { Authorization: `Bearer ${writeToken}` })).status, 200);
  });

  itRefusesLikeEveryAdapter(() => ({ url: mcpUrl, readToken, writeToken }));

  it('points the 401 challenge at metadata that is served', async () => {
    const response = await mcpPost(mcpUrl, DELETE_NOTE_CALL);
    const challenge = parseChallenge(response.headers.get('www-authenticate')!);
    assert.equal(challenge?.['resource_metadata'], 'https://mcp-a.example.com/.well-known/oauth-protected-resource/mcp');
    const metadata = await fetch(`${http.url}${new URL(challenge!['resource_metadata']!).pathname}`);
    assert.equal(((await metadata.json()) as { resource: string }).resource, RESOURCE_A);
  });

  it('lets a CORS preflight through to the next handler', async () => {
    const response = await fetch(`${http.url}/echo`, { method: 'OPTIONS' });
    assert.notEqual(response.status, 401);
  });
});

// The cached-token fast path of cases.ts, through this adapter.
describeCachedTokenFastPath('bearerAuth', async (verifier) => {
  const count = { passes: 0 };
  const app = new Hono<BearerAuthEnv>();
  app.use('/mcp', bearerAuth(countingGuard(verifier, ['read'], count)));
  app.use('/admin', bearerAuth(countingGuard(verifier, ['read', 'admin'], count)));
  const handler = (c: { get: (key: 'authInfo') => { extra?: Record<string, unknown> }; json: (body: unknown) => Response }) =>
    c.json({ subject: c.get('authInfo').extra?.['subject'] });
  app.post('/mcp', handler);
  app.post('/admin', handler);
  const http = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
  return { url: http.url, fastPasses: () => count.passes, handlerRanInSameTick: () => undefined, close: () => http.close() };
});
