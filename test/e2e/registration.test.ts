import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { randomSecret } from '../../src/core/secrets.js';
import { type AuthorizationServer, createAuthorizationServer } from '../../src/server/app.js';
import { hashPassword } from '../../src/server/browser/password-hash.js';
import { listen, type RunningHttpServer } from '../../src/server/http/listen.js';
import type { Store } from '../../src/store/types.js';
import {
  addStaticClient,
  assertOAuthError,
  assertTokens,
  DEFAULT_REDIRECT_URI,
  discover,
  isActive,
  metadataUrl,
  obtainCode,
  redeemCode,
  refreshTokens,
  registerPublicClient,
  registrationRequest,
  type ServerMetadata,
} from '../support/authorization-flow.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';

/**
 * Dynamic Client Registration (RFC 7591) from the attacker's side, and the documents a client
 * discovers the server by: RFC 8414 authorization server metadata (also for an issuer with a
 * path), RFC 9728 protected resource metadata, and the JWKS across a key rotation.
 */

const LOGIN = { username: 'alice', password: 'correct horse battery staple' };

describe('dynamic client registration', () => {
  let server: TestServer;
  let as: ServerMetadata;

  before(async () => {
    server = await startTestServer();
    as = await discover(server.url);
  });
  after(() => server.close());

  it('registers a public client without a secret', async () => {
    const result = await registrationRequest(as, { redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'none' });
    assert.equal(result.status, 201);
    assert.equal(result.headers.get('cache-control'), 'no-store');
    assert.equal(typeof result.body['client_id'], 'string');
    assert.equal(result.body['client_secret'], undefined);
    assert.equal(result.body['token_endpoint_auth_method'], 'none');
    const stored = await server.store.clients.find(result.body['client_id'] as string);
    assert.ok(stored, 'the client is stored');
    assert.equal(stored.secretHash, null);
    assert.equal(stored.source, 'dynamic');
  });

  it('returns a confidential client secret once and stores only its SHA-256 hash', async () => {
    const result = await registrationRequest(as, { redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'client_secret_basic' });
    assert.equal(result.status, 201);
    const secret = result.body['client_secret'];
    assert.equal(typeof secret, 'string');
    assert.ok((secret as string).length >= 32, 'a long random secret');
    assert.equal(result.body['client_secret_expires_at'], 0);
    const stored = await server.store.clients.find(result.body['client_id'] as string);
    assert.ok(stored, 'the client is stored');
    assert.notEqual(stored.secretHash, secret);
    assert.equal(
      stored.secretHash,
      createHash('sha256')
        .update(secret as string)
        .digest('base64url'),
    );
    assert.equal(JSON.stringify(stored).includes(secret as string), false, 'the secret is nowhere in the stored record');
  });

  it('ignores a client_id, secret or source chosen by the registrant', async () => {
    const victim = await registerPublicClient(as);
    const result = await registrationRequest(as, {
      redirect_uris: ['https://evil.example.com/cb'],
      token_endpoint_auth_method: 'client_secret_post',
      client_id: victim,
      client_secret: 'chosen-secret',
      client_secret_expires_at: 99,
      source: 'static',
    });
    assert.equal(result.status, 201);
    assert.notEqual(result.body['client_id'], victim);
    assert.notEqual(result.body['client_secret'], 'chosen-secret');
    const original = await server.store.clients.find(victim);
    assert.deepEqual(original?.redirectUris, [DEFAULT_REDIRECT_URI], 'the victim client is untouched');
    const created = await server.store.clients.find(result.body['client_id'] as string);
    assert.equal(created?.source, 'dynamic');

    const fresh = await registrationRequest(as, {
      redirect_uris: [DEFAULT_REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      client_id: 'chosen-by-registrant',
    });
    assert.equal(fresh.status, 201);
    assert.notEqual(fresh.body['client_id'], 'chosen-by-registrant');
    assert.equal(await server.store.clients.find('chosen-by-registrant'), undefined);
  });

  for (const [name, uri] of [
    ['https', 'https://app.example.com/callback'],
    ['loopback IPv4 http', 'http://127.0.0.1:8080/callback'],
    ['localhost http', 'http://localhost:8080/callback'],
    ['loopback IPv6 http', 'http://[::1]:8080/callback'],
    ['a reverse-domain private-use scheme', 'com.example.app:/callback'],
  ] as const) {
    it(`accepts a ${name} redirect URI (the control)`, async () => {
      const result = await registrationRequest(as, { redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      assert.equal(result.status, 201, JSON.stringify(result.body));
    });
  }

  for (const [name, uris] of [
    ['javascript:', ['javascript:alert(1)']],
    ['javascript: with a comment trick', ['javascript://example.com/%0aalert(1)']],
    ['data:', ['data:text/html,<script>alert(1)</script>']],
    ['file:', ['file:///etc/passwd']],
    ['vbscript:', ['vbscript:msgbox(1)']],
    ['non-loopback http', ['http://example.com/callback']],
    ['http on a name that only looks local', ['http://127.0.0.1.evil.example/callback']],
    ['a fragment', ['https://app.example.com/callback#frag']],
    ['an empty fragment', ['https://app.example.com/callback#']],
    ['userinfo', ['https://user:pass@app.example.com/callback']],
    ['a username only', ['https://app.example.com@evil.example.com/callback']],
    ['a relative URI', ['/callback']],
    ['a scheme-relative URI', ['//evil.example.com/callback']],
    ['a bare word', ['callback']],
    ['a private-use scheme that is not reverse-domain', ['myapp:/callback']],
    ['one bad URI among good ones', ['https://app.example.com/callback', 'javascript:alert(1)']],
    ['no redirect URIs', []],
  ] as const) {
    it(`refuses ${name} with invalid_redirect_uri`, async () => {
      const result = await registrationRequest(as, { redirect_uris: uris, token_endpoint_auth_method: 'none' });
      assertOAuthError(result, 'invalid_redirect_uri');
      assert.equal(result.headers.get('cache-control'), 'no-store');
    });
  }

  for (const [name, metadata] of [
    ['the client_credentials grant', { grant_types: ['client_credentials'] }],
    ['the implicit grant', { grant_types: ['implicit'] }],
    ['the password grant', { grant_types: ['authorization_code', 'password'] }],
    ['response_type token', { response_types: ['token'] }],
    ['private_key_jwt', { token_endpoint_auth_method: 'private_key_jwt' }],
    ['client_secret_jwt', { token_endpoint_auth_method: 'client_secret_jwt' }],
    ['an unknown scope', { scope: 'mcp admin' }],
    ['a malformed scope', { scope: 'mcp "x"' }],
    ['a javascript: client_uri', { client_uri: 'javascript:alert(1)' }],
    ['an http logo_uri', { logo_uri: 'http://evil.example.com/logo.png' }],
  ] as const) {
    it(`refuses ${name} with invalid_client_metadata`, async () => {
      const result = await registrationRequest(as, { redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'none', ...metadata });
      assertOAuthError(result, 'invalid_client_metadata');
    });
  }

  for (const [name, init] of [
    ['a body that is not JSON', { rawBody: '{"redirect_uris": [' }],
    ['a JSON array', { rawBody: '[]' }],
    ['JSON null', { rawBody: 'null' }],
    ['an empty body', { rawBody: '' }],
    ['text/plain', { contentType: 'text/plain' }],
    ['a form body', { contentType: 'application/x-www-form-urlencoded', rawBody: `redirect_uris=${encodeURIComponent(DEFAULT_REDIRECT_URI)}` }],
    ['application/jsonp', { contentType: 'application/jsonp' }],
  ] as const) {
    it(`refuses ${name} with invalid_client_metadata`, async () => {
      const result = await registrationRequest(as, { redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'none' }, init);
      assertOAuthError(result, 'invalid_client_metadata');
    });
  }
});

describe('registration rate limit and switch', () => {
  it('refuses the 4th registration from one address with 429 and an OAuth error body', async () => {
    const server = await startTestServer({ settings: { registration: { perAddressPerHour: 3 } } });
    try {
      const as = await discover(server.url);
      for (let i = 0; i < 3; i++) await registerPublicClient(as);
      const refused = await registrationRequest(as, { redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'none' });
      assert.equal(refused.status, 429);
      assert.match(refused.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(refused.body['error'], 'temporarily_unavailable');
      assert.ok(refused.headers.get('retry-after'), 'Retry-After says when to try again');
      assert.equal(refused.body['client_id'], undefined);
      assert.equal((await server.store.clients.list()).length, 3);
    } finally {
      await server.close();
    }
  });

  it('publishes no registration_endpoint and answers 404 when registration is disabled', async () => {
    const server = await startTestServer({ settings: { registration: { enabled: false } } });
    try {
      const as = await discover(server.url);
      assert.equal('registration_endpoint' in as, false);
      const response = await fetch(`${server.url}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'none' }),
      });
      assert.equal(response.status, 404);
      assert.equal(typeof ((await response.json()) as { error?: unknown }).error, 'string');
      assert.equal((await server.store.clients.list()).length, 0);
    } finally {
      await server.close();
    }
  });
});

describe('authorization server and protected resource metadata', () => {
  let server: TestServer;
  let as: ServerMetadata;

  before(async () => {
    server = await startTestServer();
    await server.addUser(LOGIN.username, LOGIN.password);
    as = await discover(server.url);
  });
  after(() => server.close());

  it('publishes the RFC 8414 fields an MCP client needs, at the well-known address', async () => {
    const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*', 'browser-based clients can read it');
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata['issuer'], server.url);
    assert.equal(metadata['authorization_endpoint'], `${server.url}/authorize`);
    assert.equal(metadata['token_endpoint'], `${server.url}/token`);
    assert.equal(metadata['registration_endpoint'], `${server.url}/register`);
    assert.equal(metadata['revocation_endpoint'], `${server.url}/revoke`);
    assert.equal(metadata['introspection_endpoint'], `${server.url}/introspect`);
    assert.equal(typeof metadata['jwks_uri'], 'string');
    assert.ok((metadata['jwks_uri'] as string).startsWith(`${server.url}/`), 'jwks_uri under the issuer');
    assert.deepEqual(metadata['code_challenge_methods_supported'], ['S256']);
    assert.equal(metadata['authorization_response_iss_parameter_supported'], true);
    assert.equal(metadata['client_id_metadata_document_supported'], true);
    assert.deepEqual(metadata['response_types_supported'], ['code']);
    assert.deepEqual([...(metadata['grant_types_supported'] as string[])].sort(), ['authorization_code', 'refresh_token']);
    assert.deepEqual([...(metadata['token_endpoint_auth_methods_supported'] as string[])].sort(), ['client_secret_basic', 'client_secret_post', 'none']);
    assert.deepEqual(metadata['scopes_supported'], ['mcp']);
  });

  it('publishes RFC 9728 metadata for the default resource <issuer>/mcp', async () => {
    const response = await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(response.status, 200);
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata['resource'], `${server.url}/mcp`);
    assert.deepEqual(metadata['authorization_servers'], [server.url]);
    assert.deepEqual(metadata['scopes_supported'], ['mcp']);
  });

  it('publishes an ES256 public key and no private part', async () => {
    const response = await fetch(as.jwks_uri);
    assert.equal(response.status, 200);
    const jwks = (await response.json()) as JSONWebKeySet;
    const key = jwks.keys.find((k) => k.alg === 'ES256');
    assert.ok(key, 'an ES256 key');
    assert.equal(key.kty, 'EC');
    assert.equal(key.crv, 'P-256');
    assert.equal(typeof key.kid, 'string');
    for (const k of jwks.keys) assert.equal('d' in k, false, 'no private key material in the JWKS');
  });

  it('signs with the new key after rotation while the old key stays published', async () => {
    const clientId = await registerPublicClient(as);
    const rs = await addStaticClient(server.store);
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const before = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    assert.ok(oldKid, 'the access token names its key');

    const newKid = await server.server.signingKeys.rotate({ immediately: true });
    assert.notEqual(newKid, oldKid);

    const after = assertTokens(await refreshTokens(as, { clientId, refreshToken: before.refresh_token }));
    assert.equal(decodeProtectedHeader(after.access_token).kid, newKid);

    const jwks = (await (await fetch(as.jwks_uri)).json()) as JSONWebKeySet;
    const kids = jwks.keys.map((k) => k.kid);
    assert.ok(kids.includes(oldKid), 'the retired key is still published');
    assert.ok(kids.includes(newKid), 'the new key is published');

    const keySet = createLocalJWKSet(jwks);
    for (const token of [before.access_token, after.access_token]) {
      const { payload } = await jwtVerify(token, keySet, { issuer: server.url, audience: `${server.url}/mcp`, algorithms: ['ES256'], typ: 'at+jwt' });
      assert.equal(payload['client_id'], clientId);
    }
    assert.equal(await isActive(as, rs, after.access_token), true);
  });
});

describe('an issuer with a path', () => {
  let database: TestDatabase;
  let store: Store;
  let http: RunningHttpServer;
  let server: AuthorizationServer;
  let origin: string;
  let issuer: string;

  before(async () => {
    database = await createTestDatabase('sqlite');
    store = await database.open();
    let built: AuthorizationServer | undefined;
    http = await listen((request, env) => built!.app.fetch(request, env), { port: 0, host: '127.0.0.1' });
    origin = http.url;
    issuer = `${origin}/tenant1`;
    built = await createAuthorizationServer({ settings: { issuer }, store, secrets: [TEST_SECRET], sweepIntervalMs: false });
    server = built;
    await store.users.create({
      id: randomSecret(12),
      username: LOGIN.username,
      passwordHash: await hashPassword(LOGIN.password),
      createdAt: Math.floor(Date.now() / 1000),
    });
  });
  after(async () => {
    server?.close();
    await http?.close();
    await store?.close();
    await database?.destroy();
  });

  it('publishes metadata at the path-inserted address with endpoints under the path', async () => {
    assert.equal(metadataUrl(issuer), `${origin}/.well-known/oauth-authorization-server/tenant1`);
    const response = await fetch(`${origin}/.well-known/oauth-authorization-server/tenant1`);
    assert.equal(response.status, 200);
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata['issuer'], issuer);
    for (const field of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'jwks_uri']) {
      assert.ok(String(metadata[field]).startsWith(`${issuer}/`), `${field} ${String(metadata[field])} is under ${issuer}/`);
    }
    assert.equal((await fetch(`${origin}/.well-known/oauth-authorization-server`)).status, 404);
    assert.equal((await fetch(`${origin}/tenant1/.well-known/oauth-authorization-server`)).status, 404);
  });

  it('publishes protected resource metadata for <issuer>/mcp', async () => {
    const response = await fetch(`${origin}/.well-known/oauth-protected-resource/tenant1/mcp`);
    assert.equal(response.status, 200);
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata['resource'], `${issuer}/mcp`);
    assert.deepEqual(metadata['authorization_servers'], [issuer]);
  });

  it('serves nothing at the root paths', async () => {
    const response = await fetch(`${origin}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(response.status, 404);
  });

  it('runs the whole flow under the path, with iss and aud naming the issuer with its path', async () => {
    const as = await discover(issuer);
    const clientId = await registerPublicClient(as);
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const jwks = (await (await fetch(as.jwks_uri)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), { issuer, audience: `${issuer}/mcp`, algorithms: ['ES256'] });
    assert.equal(payload['client_id'], clientId);
  });
});
