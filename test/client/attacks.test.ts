/**
 * What the client refuses, each by its `ClientAuthError` code: protected-resource metadata for
 * another resource, authorization-server metadata with another issuer, no S256, an authorization
 * endpoint with a `javascript:` or `file:` URL (never handed to the app), a callback with a wrong
 * or missing `iss`, and a replayed or expired `state` (a token refresh does not extend a pending
 * login). Hostile documents come from a tiny server on loopback; the rest runs against the real
 * gateway and its pages.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { authorizationServerMetadataUrls, discoverAuthorizationServer, protectedResourceMetadataUrls } from '../../src/client/discovery.js';
import { ClientAuthError, type ClientAuthErrorCode, detectAuth } from '../../src/client/index.js';
import { registrationRedirectKey } from '../../src/client/registration-redirect.js';
import { FormBrowser } from '../support/browser.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type HostileServer, startHostileServer } from '../support/hostile-metadata-server.js';
import { approveInBrowser, type ClientStoreHandle, loginWithPages, newProvider, openClientStore } from '../support/mcp-client.js';

const login = { username: 'eve-victim', password: 'victim password 123' };

function refusedWith(code: ClientAuthErrorCode) {
  return (error: unknown) => {
    assert.ok(error instanceof ClientAuthError, `expected ClientAuthError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

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

describe('hostile metadata is refused before anything is sent to an authorization server', () => {
  let hostile: HostileServer;
  let client: ClientStoreHandle;
  const issuer = () => `${hostile.origin}/tenant`;
  const serverUrl = () => `${hostile.origin}/mcp`;
  const asMetadata = (overrides: Record<string, unknown> = {}) => ({
    issuer: issuer(),
    authorization_endpoint: `${hostile.origin}/authorize`,
    token_endpoint: `${hostile.origin}/token`,
    registration_endpoint: `${hostile.origin}/register`,
    code_challenge_methods_supported: ['S256'],
    ...overrides,
  });

  before(async () => {
    hostile = await startHostileServer();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await hostile?.close();
  });
  beforeEach(() => {
    hostile.documents.clear();
    hostile.requested.length = 0;
    hostile.challenge = undefined;
    hostile.documents.set('/.well-known/oauth-protected-resource/mcp', { resource: serverUrl(), authorization_servers: [issuer()] });
    hostile.documents.set('/tenant/.well-known/openid-configuration', asMetadata());
  });

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

  it('refuses javascript: and file: authorization URLs before handing them to the app', async () => {
    for (const endpoint of ['javascript:alert(document.cookie)//', 'file:///etc/passwd', 'data:text/html,<script>alert(1)</script>']) {
      hostile.documents.set('/tenant/.well-known/openid-configuration', asMetadata({ authorization_endpoint: endpoint }));
      const { oauth, authorizationUrls } = provider();
      await assert.rejects(oauth.start(), refusedWith('unsafe_authorization_url'));
      // Also when the SDK hands one over.
      await assert.rejects(
        Promise.resolve().then(() => oauth.redirectToAuthorization(new URL(endpoint))),
        refusedWith('unsafe_authorization_url'),
      );
      assert.equal(authorizationUrls.length, 0, `${endpoint} never reached the app`);
    }
    assert.ok(!hostile.requested.includes('/register'));
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

describe('callbacks: iss and state', () => {
  let stack: TestGateway;
  let client: ClientStoreHandle;

  before(async () => {
    stack = await startTestGateway();
    await stack.addUser(login.username, login.password);
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it('refuses a wrong or missing iss before redeeming the code, and burns the state', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'iss-user', serverUrl: stack.mcpUrl });
    for (const tamper of [
      (q: URLSearchParams) => q.set('iss', 'https://attacker.example.com'),
      (q: URLSearchParams) => q.set('iss', `${stack.issuer}/`),
      (q: URLSearchParams) => q.delete('iss'),
    ]) {
      const started = await oauth.start();
      const query = await approveInBrowser(started.url, stack.issuer, login);
      const honest = new URLSearchParams(query);
      tamper(query);
      await assert.rejects(oauth.callback(query), refusedWith('issuer_mismatch'));
      await assert.rejects(oauth.callback(honest), refusedWith('invalid_state'), 'the state is spent');
    }
    assert.equal(await oauth.accessToken(), undefined, 'no tokens were obtained');
  });

  it('refuses a replayed state, and a state of another user', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'replay-user', serverUrl: stack.mcpUrl });
    const started = await oauth.start();
    const query = await approveInBrowser(started.url, stack.issuer, login);
    await oauth.callback(query);
    await assert.rejects(oauth.callback(query), refusedWith('invalid_state'));
    await assert.rejects(oauth.callback({ code: 'x', state: 'never-issued', iss: stack.issuer }), refusedWith('invalid_state'));
    await assert.rejects(oauth.callback({ code: 'x', iss: stack.issuer }), refusedWith('invalid_state'));

    const other = newProvider({ store: client.store.mcpClient, userId: 'someone-else', serverUrl: stack.mcpUrl });
    const theirs = await other.oauth.start();
    await assert.rejects(oauth.callback(await approveInBrowser(theirs.url, stack.issuer, login)), refusedWith('invalid_state'));
  });

  it('refuses a state older than 10 minutes, even when a token refresh happened meanwhile', async () => {
    const clock = new TestClock();
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'slow-user', serverUrl: stack.mcpUrl, clock });
    await loginWithPages(oauth, stack.issuer, login);
    const started = await oauth.start({ scope: 'notes:write' });
    assert.equal(started.expiresAt - Math.floor(clock.now() / 1000), 600);
    const query = await approveInBrowser(started.url, stack.issuer, login);
    clock.advance(550); // the access token is within the skew: refreshed
    const before = (await client.store.mcpClient.findTokens('slow-user', stack.mcpUrl))!.version;
    await oauth.accessToken();
    assert.equal((await client.store.mcpClient.findTokens('slow-user', stack.mcpUrl))!.version, before + 1, 'refreshed');
    clock.advance(51);
    await assert.rejects(oauth.callback(query), refusedWith('invalid_state'));
  });

  it('reports a denial (after checking iss) and stores nothing', async () => {
    // Another redirect URI, so another registration whose consent was never given.
    const { oauth } = newProvider({
      store: client.store.mcpClient,
      userId: 'deny-user',
      serverUrl: stack.mcpUrl,
      redirectUrl: 'http://127.0.0.1:53998/denied',
    });
    const started = await oauth.start();
    const callback = await new FormBrowser(stack.issuer).authorize(started.url.href, login, 'deny');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    const forged = new URLSearchParams(callback.searchParams);
    await assert.rejects(oauth.callback(callback.searchParams), refusedWith('authorization_denied'));
    forged.set('iss', 'https://attacker.example.com');
    await assert.rejects(oauth.callback(forged), refusedWith('invalid_state'), 'a denial burns the state too');
    assert.equal(await oauth.accessToken(), undefined);
  });

  it('refuses to finish through the SDK finishAuth path, which cannot check state or iss', async () => {
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'sdk-user', serverUrl: stack.mcpUrl });
    assert.throws(() => oauth.codeVerifier(), refusedWith('invalid_state'));
  });
});

describe('registration order and keying', () => {
  let hostile: HostileServer;
  let client: ClientStoreHandle;
  const serverUrl = () => `${hostile.origin}/mcp`;
  const asMetadata = (issuer: string, overrides: Record<string, unknown> = {}) => ({
    issuer,
    authorization_endpoint: `${hostile.origin}/authorize`,
    token_endpoint: `${hostile.origin}/token`,
    registration_endpoint: `${hostile.origin}/register`,
    code_challenge_methods_supported: ['S256'],
    ...overrides,
  });
  const useIssuer = (path: string, overrides: Record<string, unknown> = {}) => {
    const issuer = `${hostile.origin}${path}`;
    hostile.documents.set('/.well-known/oauth-protected-resource/mcp', { resource: serverUrl(), authorization_servers: [issuer] });
    hostile.documents.set(`/.well-known/oauth-authorization-server${path}`, asMetadata(issuer, overrides));
    return issuer;
  };

  before(async () => {
    hostile = await startHostileServer();
    client = await openClientStore();
    hostile.documents.set('/register', { client_id: 'dcr-client', token_endpoint_auth_method: 'none' });
  });
  after(async () => {
    await client?.close();
    await hostile?.close();
  });

  it('uses pre-registered credentials first, then a Client ID Metadata Document, then DCR, each per issuer', async () => {
    const metadataUrl = 'https://app.example.com/oauth/client.json';
    const registrations = () => hostile.requested.filter((p) => p === '/register').length;

    const pre = useIssuer('/pre', { client_id_metadata_document_supported: true });
    const first = newProvider({
      store: client.store.mcpClient,
      userId: 'u',
      serverUrl: serverUrl(),
      clientMetadataUrl: metadataUrl,
      preRegistered: [{ issuer: pre, clientId: 'configured' }],
    });
    assert.equal((await first.oauth.start()).url.searchParams.get('client_id'), 'configured');
    assert.equal(registrations(), 0);

    useIssuer('/cimd', { client_id_metadata_document_supported: true });
    const second = newProvider({
      store: client.store.mcpClient,
      userId: 'u',
      serverUrl: serverUrl(),
      clientMetadataUrl: metadataUrl,
      preRegistered: [{ issuer: pre, clientId: 'configured' }],
    });
    assert.equal((await second.oauth.start()).url.searchParams.get('client_id'), metadataUrl, 'the pre-registered client is not offered to another issuer');
    assert.equal(registrations(), 0);

    const dcr = useIssuer('/dcr');
    const third = newProvider({ store: client.store.mcpClient, userId: 'u', serverUrl: serverUrl(), clientMetadataUrl: metadataUrl });
    assert.equal((await third.oauth.start()).url.searchParams.get('client_id'), 'dcr-client', 'no metadata-document support: DCR');
    assert.equal(registrations(), 1);
    assert.equal((await third.oauth.start()).url.searchParams.get('client_id'), 'dcr-client');
    assert.equal(registrations(), 1, 'the registration is stored and reused for the issuer');
    // Kept under the loopback redirect without its port (RFC 8252 §7.3).
    assert.equal((await client.store.mcpClient.findRegistration(dcr, registrationRedirectKey(third.oauth.redirectUrl as string)))?.method, 'dcr');

    useIssuer('/other');
    const fourth = newProvider({ store: client.store.mcpClient, userId: 'u', serverUrl: serverUrl() });
    await fourth.oauth.start();
    assert.equal(registrations(), 2, 'another issuer gets its own registration');
  });

  it('refuses when there is no way to register', async () => {
    useIssuer('/closed', { registration_endpoint: undefined });
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'u', serverUrl: serverUrl() });
    await assert.rejects(oauth.start(), refusedWith('registration_unavailable'));
  });
});
