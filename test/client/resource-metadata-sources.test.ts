/**
 * RFC 9728 §3.3 applied per discovery source: a protected-resource metadata document's `resource`
 * must be the identifier its address was built from — the server URL for the challenge's
 * `resource_metadata` and the path-inserted well-known URL, the origin for the root well-known
 * URL (which MCP also lets name the server URL itself) — and that `resource` is what tokens are
 * asked for (RFC 8707). Anything else is refused before an authorization server is asked.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { protectedResourceMetadataSources } from '../../src/client/discovery.js';
import { ClientAuthError, detectAuth } from '../../src/client/index.js';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';
import { approvedCallback, authorizationServerDocument, type ScriptedServer, startScriptedServer } from '../support/scripted-oauth-server.js';

const refusedAsMismatch = (error: unknown) => error instanceof ClientAuthError && error.code === 'resource_mismatch';

describe('which resource each metadata address may name', () => {
  it('the server URL for the challenge and path-inserted URLs, the origin (or the server URL) at the root', () => {
    const sources = protectedResourceMetadataSources('https://mcp.example.com/tenant/mcp', 'https://mcp.example.com/meta');
    assert.deepEqual(
      sources.map((s) => [s.url.href, s.acceptedResources]),
      [
        ['https://mcp.example.com/meta', ['https://mcp.example.com/tenant/mcp']],
        ['https://mcp.example.com/.well-known/oauth-protected-resource/tenant/mcp', ['https://mcp.example.com/tenant/mcp']],
        ['https://mcp.example.com/.well-known/oauth-protected-resource', ['https://mcp.example.com', 'https://mcp.example.com/tenant/mcp']],
      ],
    );
    const viaRoot = protectedResourceMetadataSources('https://mcp.example.com/mcp', 'https://mcp.example.com/.well-known/oauth-protected-resource');
    assert.deepEqual(
      viaRoot[0]!.acceptedResources,
      ['https://mcp.example.com', 'https://mcp.example.com/mcp'],
      'a challenge naming the root URL: the root rule',
    );
  });
});

describe('discovery from the root protected-resource metadata', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  const mcpUrl = () => `${server.origin}/mcp`;
  const issuer = () => `${server.origin}/tenant1`;
  const provider = (userId = 'root-user') => newProvider({ store: client.store.mcpClient, userId, serverUrl: mcpUrl() });

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });
  beforeEach(() => {
    server.routes.clear();
    server.requests.length = 0;
    server.serve('/.well-known/oauth-authorization-server/tenant1', authorizationServerDocument(issuer()));
    server.serve('/tenant1/register', { client_id: 'root-client', token_endpoint_auth_method: 'none' });
    server.serve('/tenant1/token', { access_token: 'root-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'root-refresh' });
  });

  it('accepts a root document naming the origin, and asks for tokens for that resource', async () => {
    server.serve('/.well-known/oauth-protected-resource', { resource: server.origin, authorization_servers: [issuer()] });
    const { oauth } = provider();
    const started = await oauth.start();
    assert.equal(started.url.searchParams.get('resource'), server.origin, 'the resource the metadata names');
    await oauth.callback(approvedCallback(started.url, issuer()));
    const exchange = server.requests.find((r) => r.path === '/tenant1/token')!;
    assert.equal(exchange.form.get('resource'), server.origin, 'the code exchange names it too');
    server.routes.set('/mcp', () => ({ status: 401, headers: { 'WWW-Authenticate': 'Bearer' } }));
    assert.equal((await detectAuth(mcpUrl())).resource, server.origin, 'detectAuth applies the same rule');
  });

  it('accepts a root document naming the server URL itself', async () => {
    server.serve('/.well-known/oauth-protected-resource', { resource: mcpUrl(), authorization_servers: [issuer()] });
    const started = await provider().oauth.start();
    assert.equal(started.url.searchParams.get('resource'), mcpUrl());
  });

  it('refuses a root document naming another origin or another path of this one', async () => {
    for (const resource of ['https://bank.example.com', 'https://bank.example.com/mcp', `${server.origin}/other`, 'not a url']) {
      server.serve('/.well-known/oauth-protected-resource', { resource, authorization_servers: [issuer()] });
      await assert.rejects(provider().oauth.start(), refusedAsMismatch, resource);
    }
    assert.ok(!server.requests.some((r) => r.path.includes('authorization-server') || r.path.startsWith('/tenant1')), 'no authorization server was asked');
  });

  it('refuses the origin from the path-inserted URL, which was built from the server URL', async () => {
    server.serve('/.well-known/oauth-protected-resource/mcp', { resource: server.origin, authorization_servers: [issuer()] });
    await assert.rejects(provider().oauth.start(), refusedAsMismatch);
  });

  it('refuses the origin from a challenge URL of its own, and accepts it when the challenge names the root URL', async () => {
    server.serve('/custom/prm', { resource: server.origin, authorization_servers: [issuer()] });
    server.routes.set('/mcp', () => ({ status: 401, headers: { 'WWW-Authenticate': `Bearer resource_metadata="${server.origin}/custom/prm"` } }));
    await assert.rejects(provider('challenge-user-1').oauth.start(), refusedAsMismatch);

    server.serve('/.well-known/oauth-protected-resource', { resource: server.origin, authorization_servers: [issuer()] });
    server.routes.set('/mcp', () => ({
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource"` },
    }));
    const started = await provider('challenge-user-2').oauth.start();
    assert.equal(started.url.searchParams.get('resource'), server.origin);
  });
});
