import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { decodeJwt } from 'jose';
import { closeHttpServer } from '../../../src/http/close-server.js';
import type { BearerGuard } from '../../../src/resource/bearer-guard.js';
import { createJwtVerifier } from '../../../src/resource/jwt-verifier.js';
import type { McpAuthInfo } from '../../../src/resource/mcp-auth-info.js';
import { requireBearerToken } from '../../../src/resource/middleware/express.js';
import type { GuardedIncomingMessage } from '../../../src/resource/middleware/node-http.js';
import { parseScopePolicy } from '../../../src/resource/scope-policy.js';
import { RESOURCE_A, startTokenIssuer, type TokenIssuer } from '../../support/access-tokens.js';
import { connectWithToken, createWhoamiServer, whoami } from '../../support/whoami-mcp-server.js';
import { answerWithSubject, countingGuard, describeCachedTokenFastPath, itRefusesLikeEveryAdapter, listenNode, sameTickProbe } from './cases.js';

/**
 * The Express adapter in front of the MCP SDK's McpServer with StreamableHTTPServerTransport
 * (stateless, as in the SDK README), over real HTTP: the tool sees `extra.authInfo`.
 */

// The adapter's AuthInfo is the SDK's: this fails to compile if they drift apart.
const sdkCompatible = (info: McpAuthInfo): AuthInfo => info;
void sdkCompatible;

function startApp(issuer: TokenIssuer, withJsonParser: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  if (withJsonParser) app.use(express.json());
  const verifier = createJwtVerifier({ issuer: issuer.server.url, audience: RESOURCE_A, jwksUri: issuer.as.jwks_uri });
  const policy = parseScopePolicy({ required: ['read'], tools: { delete_note: ['write'] } });
  app.post('/mcp', requireBearerToken({ verifier, resource: RESOURCE_A, scopePolicy: policy }), async (req, res) => {
    const server = createWhoamiServer();
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  return new Promise((resolve) => {
    const http: Server = app.listen(0, '127.0.0.1', () => {
      const { port } = http.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/mcp`,
        close: () => closeHttpServer(http),
      });
    });
  });
}

describe('Express middleware with the MCP SDK server', () => {
  let issuer: TokenIssuer;
  let readToken: string;
  let writeToken: string;

  before(async () => {
    issuer = await startTokenIssuer();
    readToken = await issuer.accessToken({ scope: 'read' });
    writeToken = await issuer.accessToken({ scope: 'read write' });
  });
  after(() => issuer.close());

  for (const withJsonParser of [true, false]) {
    describe(withJsonParser ? 'after express.json()' : 'reading the body itself', () => {
      let app: { url: string; close: () => Promise<void> };
      before(async () => (app = await startApp(issuer, withJsonParser)));
      after(() => app.close());

      it('passes the verified identity to the tool as extra.authInfo', async () => {
        const client = await connectWithToken(app.url, readToken);
        const info = await whoami(client);
        await client.close();
        assert.equal(info['clientId'], issuer.clientId);
        assert.deepEqual(info['scopes'], ['read']);
        assert.equal(info['resource'], RESOURCE_A);
        assert.equal(info['expiresAt'], decodeJwt(readToken).exp);
        assert.equal((info['extra'] as { subject: string }).subject, decodeJwt(readToken).sub);
      });

      it('lets a token with the scope a tool needs call it', async () => {
        const client = await connectWithToken(app.url, writeToken);
        const result = await client.callTool({ name: 'delete_note', arguments: { id: 3 } });
        await client.close();
        assert.deepEqual(result.content, [{ type: 'text', text: 'deleted 3' }]);
      });

      itRefusesLikeEveryAdapter(() => ({ url: app.url, readToken, writeToken }));
    });
  }
});

// The cached-token fast path of cases.ts, through this adapter.
describeCachedTokenFastPath('requireBearerToken', async (verifier) => {
  const count = { passes: 0 };
  const probe = sameTickProbe();
  const app = express();
  app.use(express.json());
  const handler = (req: express.Request & GuardedIncomingMessage, res: express.Response) => {
    probe.mark();
    answerWithSubject(res, req.auth?.extra?.['subject'] as string);
  };
  const guarded = (guard: BearerGuard) => {
    const middleware = requireBearerToken(guard);
    return (req: express.Request, res: express.Response, next: express.NextFunction) => probe.wrap(() => void middleware(req, res, next));
  };
  app.post('/mcp', guarded(countingGuard(verifier, ['read'], count)), handler);
  app.post('/admin', guarded(countingGuard(verifier, ['read', 'admin'], count)), handler);
  const server = await listenNode(app);
  return { url: server.url, fastPasses: () => count.passes, handlerRanInSameTick: probe.result, close: server.close };
});
