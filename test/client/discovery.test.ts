/**
 * Discovery (src/client/discovery.ts): the protected-resource and authorization-server metadata
 * addresses in the 2026-07-28 order, which `resource` each address may name (RFC 9728 §3.3: the
 * server URL for the challenge's `resource_metadata` and the path-inserted well-known URL, the
 * origin, or the server URL itself, for the root well-known URL), that `resource` being what
 * tokens are asked for (RFC 8707), and what is refused before an authorization server is asked:
 * metadata for another resource, another issuer, no S256, an https authorization server's http
 * endpoints. Hostile documents come from a tiny server on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  authorizationServerMetadataUrls,
  discoverAuthorizationServer,
  protectedResourceMetadataSources,
  protectedResourceMetadataUrls,
} from '../../src/client/discovery.js';
import { ClientAuthError, detectAuth } from '../../src/client/index.js';
import { refusedWith } from '../support/client-auth-errors.js';
import { type HostileServer, startHostileServer } from '../support/hostile-metadata-server.js';
import { serveSoundTenant, tenantMetadata } from '../support/hostile-tenant.js';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';
import { approvedCallback, authorizationServerDocument, type ScriptedServer, startScriptedServer } from '../support/scripted-oauth-server.js';

const refusedAsMismatch = (error: unknown) => error instanceof ClientAuthError && error.code === 'resource_mismatch';

describe('discovery addresses follow the 2026-07-28 order', () => {
  it('protected-resource metadata: the challenge URL, then path-inserted, then root', () => {
    assert.deepEqual(protectedResourceMetadataUrls('https://mcp.example.com/tenant/mcp', 'https://mcp.example.com/meta').map(String), [
      'https://mcp.example.com/meta',
      'https://mcp.example.com/.well-known/oauth-protected-resource/tenant/mcp',
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
    assert.deepEqual(protectedResourceMetadataUrls('https://mcp.example.com').map(String), ['https://mcp.example.com/.well-known/oauth-protected-resource']);
  });

  it('authorization-server metadata: OAuth then OpenID Connect, path-inserted before path-appended', () => {
    assert.deepEqual(authorizationServerMetadataUrls('https://as.example.com/tenant1').map(String), [
      'https://as.example.com/.well-known/oauth-authorization-server/tenant1',
      'https://as.example.com/.well-known/openid-configuration/tenant1',
      'https://as.example.com/tenant1/.well-known/openid-configuration',
    ]);
    assert.deepEqual(authorizationServerMetadataUrls('https://as.example.com').map(String), [
      'https://as.example.com/.well-known/oauth-authorization-server',
      'https://as.example.com/.well-known/openid-configuration',
    ]);
  });
});

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

describe('hostile metadata is refused before anything is sent to an authorization server', () => {
  let hostile: HostileServer;
  let client: ClientStoreHandle;
  const issuer = () => `${hostile.origin}/tenant`;
  const serverUrl = () => `${hostile.origin}/mcp`;
  const asMetadata = (overrides: Record<string, unknown> = {}) => tenantMetadata(hostile, overrides);

  before(async () => {
    hostile = await startHostileServer();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await hostile?.close();
  });
  beforeEach(() => serveSoundTenant(hostile));

  const provider = () => newProvider({ store: client.store.mcpClient, userId: 'victim', serverUrl: serverUrl() });

  it('tries the addresses in order and goes on when metadata is sound (OpenID Connect, path appended)', async () => {
    hostile.challenge = `Bearer resource_metadata="${hostile.origin}/missing-prm"`;
    const detected = await detectAuth(serverUrl());
    assert.equal(detected.issuer, issuer());
    assert.deepEqual(hostile.requested, [
      '/mcp',
      '/missing-prm',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-authorization-server/tenant',
      '/.well-known/openid-configuration/tenant',
      '/tenant/.well-known/openid-configuration',
    ]);
  });

  it('logs in with metadata found only through the challenge (first in the order)', async () => {
    hostile.documents.delete('/.well-known/oauth-protected-resource/mcp');
    hostile.documents.set('/custom/prm', { resource: serverUrl(), authorization_servers: [issuer()] });
    hostile.documents.set('/register', { client_id: 'hostile-dcr' });
    hostile.challenge = `Bearer resource_metadata="${hostile.origin}/custom/prm"`;
    const { oauth, authorizationUrls } = provider();
    const started = await oauth.start();
    assert.equal(started.url.origin + started.url.pathname, `${hostile.origin}/authorize`);
    assert.equal(started.url.searchParams.get('resource'), serverUrl());
    assert.equal(authorizationUrls.length, 1);
    assert.deepEqual(hostile.requested.slice(0, 2), ['/mcp', '/custom/prm']);
  });

  it('refuses protected-resource metadata whose resource is another server', async () => {
    hostile.documents.set('/.well-known/oauth-protected-resource/mcp', { resource: 'https://bank.example.com/mcp', authorization_servers: [issuer()] });
    hostile.challenge = 'Bearer';
    const { oauth, authorizationUrls } = provider();
    await assert.rejects(oauth.start(), refusedWith('resource_mismatch'));
    await assert.rejects(detectAuth(serverUrl()), refusedWith('resource_mismatch'));
    assert.equal(authorizationUrls.length, 0);
    assert.ok(!hostile.requested.some((p) => p.includes('openid') || p.includes('authorization-server')), 'no authorization server was asked');
  });

  it('refuses authorization-server metadata that names another issuer', async () => {
    hostile.documents.set('/tenant/.well-known/openid-configuration', asMetadata({ issuer: 'https://trusted-as.example.com' }));
    const { oauth, authorizationUrls } = provider();
    await assert.rejects(oauth.start(), refusedWith('authorization_server_metadata_invalid'));
    assert.equal(authorizationUrls.length, 0);
    assert.ok(!hostile.requested.includes('/register'), 'nothing registered');
  });

  it('refuses an authorization server without S256 (plain only, or nothing listed)', async () => {
    for (const methods of [['plain'], undefined]) {
      hostile.documents.set('/tenant/.well-known/openid-configuration', asMetadata({ code_challenge_methods_supported: methods }));
      const { oauth, authorizationUrls } = provider();
      await assert.rejects(oauth.start(), refusedWith('pkce_not_supported'));
      assert.equal(authorizationUrls.length, 0);
    }
  });
});

describe('plain http endpoints are used only for a loopback http authorization server', () => {
  // An https server's metadata arrives over TLS; a hostile or mistaken one could still name an
  // http endpoint (even on loopback, where anything may listen). The fetch is the client's own
  // injection point, standing in for the TLS server, so that no certificate is needed.
  const metadataFor =
    (issuer: string, overrides: Record<string, unknown>) =>
    async (input: string | URL | Request): Promise<Response> => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith(`${issuer}/.well-known/oauth-authorization-server`)) return new Response('not found', { status: 404 });
      return Response.json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        code_challenge_methods_supported: ['S256'],
        ...overrides,
      });
    };

  it('refuses an https authorization server that names an http endpoint, loopback included', async () => {
    for (const name of ['token_endpoint', 'authorization_endpoint', 'registration_endpoint', 'revocation_endpoint']) {
      for (const endpoint of ['http://127.0.0.1:9/token', 'http://as.example.com/token']) {
        await assert.rejects(
          discoverAuthorizationServer('https://as.example.com', { fetch: metadataFor('https://as.example.com', { [name]: endpoint }) }),
          refusedWith('authorization_server_metadata_invalid'),
          `${name} ${endpoint}`,
        );
      }
    }
  });

  it('refuses a loopback http authorization server that names an http endpoint off this machine', async () => {
    await assert.rejects(
      discoverAuthorizationServer('http://127.0.0.1:9', { fetch: metadataFor('http://127.0.0.1:9', { token_endpoint: 'http://192.0.2.10/token' }) }),
      refusedWith('authorization_server_metadata_invalid'),
    );
  });

  it('accepts https endpoints, and loopback http ones for a loopback http server (development)', async () => {
    const secure = await discoverAuthorizationServer('https://as.example.com', {
      fetch: metadataFor('https://as.example.com', { token_endpoint: 'https://tokens.example.com/token' }),
    });
    assert.equal(secure.token_endpoint, 'https://tokens.example.com/token');
    const local = await discoverAuthorizationServer('http://127.0.0.1:9', {
      fetch: metadataFor('http://127.0.0.1:9', { token_endpoint: 'http://localhost:9/token' }),
    });
    assert.equal(local.token_endpoint, 'http://localhost:9/token');
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

describe("protected-resource metadata at RFC 9728 §3.1's exact address first", () => {
  it('keeps the path and query as they are, then tries the address without the trailing slash and query, then the root', () => {
    assert.deepEqual(protectedResourceMetadataUrls('https://mcp.example.com/mcp/?tenant=a').map(String), [
      'https://mcp.example.com/.well-known/oauth-protected-resource/mcp/?tenant=a',
      'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
    assert.deepEqual(protectedResourceMetadataUrls('https://mcp.example.com/mcp').map(String), [
      'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
  });

  let server: ScriptedServer;
  let client: ClientStoreHandle;
  const mcpUrl = () => `${server.origin}/mcp/`;
  const issuer = () => `${server.origin}/tenant1`;
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
    server.serve('/tenant1/register', { client_id: 'exact-client', token_endpoint_auth_method: 'none' });
  });

  it('finds a server with a trailing slash that publishes its metadata only at the exact address', async () => {
    server.serve('/.well-known/oauth-protected-resource/mcp/', { resource: mcpUrl(), authorization_servers: [issuer()] });
    const started = await newProvider({ store: client.store.mcpClient, userId: 'exact-user', serverUrl: mcpUrl() }).oauth.start();
    assert.equal(started.url.searchParams.get('resource'), mcpUrl());
    assert.equal(server.requests.find((r) => r.path.startsWith('/.well-known/oauth-protected-resource'))?.path, '/.well-known/oauth-protected-resource/mcp/');
  });

  it('still finds one that publishes at the address without the trailing slash, where other MCP clients look', async () => {
    server.serve('/.well-known/oauth-protected-resource/mcp', { resource: mcpUrl(), authorization_servers: [issuer()] });
    const started = await newProvider({ store: client.store.mcpClient, userId: 'trimmed-user', serverUrl: mcpUrl() }).oauth.start();
    assert.equal(started.url.searchParams.get('resource'), mcpUrl());
  });
});
