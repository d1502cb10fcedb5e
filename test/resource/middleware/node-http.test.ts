import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { closeHttpServer } from '../../../src/http/close-server.js';
import { createJwtVerifier } from '../../../src/resource/jwt-verifier.js';
import { createNodeHttpGuard, type GuardedIncomingMessage, protectNodeHttpListener } from '../../../src/resource/middleware/node-http.js';
import { parseScopePolicy } from '../../../src/resource/scope-policy.js';
import { RESOURCE_A, startTokenIssuer, type TokenIssuer } from '../../support/access-tokens.js';
import { connectWithToken, createWhoamiServer, DELETE_NOTE_CALL, mcpPost, whoami } from '../../support/whoami-mcp-server.js';
import { answerWithSubject, countingGuard, describeCachedTokenFastPath, itRefusesLikeEveryAdapter, listenNode, sameTickProbe } from './cases.js';

/** The plain node:http adapter over real HTTP, in front of the MCP SDK's Node transport. */

describe('node:http guard with the MCP SDK server', () => {
  let issuer: TokenIssuer;
  let http: Server;
  let url: string;
  let readToken: string;
  let writeToken: string;

  before(async () => {
    issuer = await startTokenIssuer();
    readToken = await issuer.accessToken({ scope: 'read' });
    writeToken = await issuer.accessToken({ scope: 'read write' });
    const verifier = createJwtVerifier({ issuer: issuer.server.url, audience: RESOURCE_A, jwksUri: issuer.as.jwks_uri });
    const guard = createNodeHttpGuard(
      { verifier, resource: RESOURCE_A, scopePolicy: parseScopePolicy({ required: ['read'], tools: { delete_note: ['write'] } }) },
      { maxBodyBytes: 64 * 1024 },
    );
    http = createServer((incoming, res) => {
      const req: GuardedIncomingMessage = incoming;
      void (async () => {
        const identity = await guard(req, res);
        if (identity === null) return;
        const server = createWhoamiServer();
        const transport = new StreamableHTTPServerTransport({});
        res.on('close', () => void transport.close());
        await server.connect(transport);
        await transport.handleRequest(req, res, req.body);
      })();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  });
  after(async () => {
    await closeHttpServer(http);
    await issuer.close();
  });

  it('sets req.auth for the SDK transport and reads the body for the scope check', async () => {
    const client = await connectWithToken(url, writeToken);
    const info = await whoami(client);
    const deleted = await client.callTool({ name: 'delete_note', arguments: { id: 3 } });
    await client.close();
    assert.equal(info['clientId'], issuer.clientId);
    assert.deepEqual(deleted.content, [{ type: 'text', text: 'deleted 3' }]);
  });

  itRefusesLikeEveryAdapter(() => ({ url, readToken, writeToken }));

  it('answers 413 to a body larger than the limit', async () => {
    const response = await mcpPost(url, { ...DELETE_NOTE_CALL, padding: 'x'.repeat(100 * 1024) }, { Authorization: `Bearer ${writeToken}` });
    assert.equal(response.status, 413);
  });
});

// The cached-token fast path of cases.ts, through this adapter.
describeCachedTokenFastPath('protectNodeHttpListener', async (verifier) => {
  const count = { passes: 0 };
  const probe = sameTickProbe();
  const handler = (req: GuardedIncomingMessage, res: ServerResponse) => {
    probe.mark();
    answerWithSubject(res, req.auth?.extra?.['subject'] as string);
  };
  const mcp = protectNodeHttpListener(countingGuard(verifier, ['read'], count), handler);
  const admin = protectNodeHttpListener(countingGuard(verifier, ['read', 'admin'], count), handler);
  const server = await listenNode((req, res) => probe.wrap(() => (req.url!.startsWith('/admin') ? admin : mcp)(req, res)));
  return { url: server.url, fastPasses: () => count.passes, handlerRanInSameTick: probe.result, close: server.close };
});

describeCachedTokenFastPath('createNodeHttpGuard', async (verifier) => {
  const count = { passes: 0 };
  const mcp = createNodeHttpGuard(countingGuard(verifier, ['read'], count));
  const admin = createNodeHttpGuard(countingGuard(verifier, ['read', 'admin'], count));
  const server = await listenNode((req, res) => {
    void (req.url!.startsWith('/admin') ? admin : mcp)(req, res).then((identity) => identity !== null && answerWithSubject(res, identity.subject));
  });
  return { url: server.url, fastPasses: () => count.passes, handlerRanInSameTick: () => undefined, close: server.close };
});
