import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { addStaticClient } from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT_URI = 'http://127.0.0.1:53123/callback';

/**
 * The whole authorization code flow driven by oauth4webapi, a strict client no one here wrote,
 * over real HTTP on loopback: discovery, DCR, PKCE S256, login and consent through the real
 * pages, RFC 9207 `iss` validation, token, RFC 9068 access token validation, refresh with
 * rotation, revocation and introspection.
 */
describe('oauth4webapi against Portcullis', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  const login = { username: 'alice', password: 'correct horse battery staple' };

  before(async () => {
    server = await startTestServer();
    await server.addUser(login.username, login.password);
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  after(() => server.close());

  async function register(metadata: Partial<oauth.Client>): Promise<oauth.Client> {
    const response = await oauth.dynamicClientRegistrationRequest(
      as,
      { redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], ...metadata },
      insecure,
    );
    return oauth.processDynamicClientRegistrationResponse(response);
  }

  async function authorize(client: oauth.Client, clientAuth: oauth.ClientAuth, extra: Record<string, string> = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      resource: `${server.url}/mcp`,
      ...extra,
    }).toString();
    const callback = await new FormBrowser(server.url).authorize(url.href, login);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT_URI, verifier, {
      additionalParameters: { resource: `${server.url}/mcp` },
      ...insecure,
    });
    return oauth.processAuthorizationCodeResponse(as, client, response);
  }

  it('publishes metadata an MCP client needs', () => {
    assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
    assert.equal(as.authorization_response_iss_parameter_supported, true);
    assert.equal((as as Record<string, unknown>)['client_id_metadata_document_supported'], true);
    assert.ok(as.registration_endpoint && as.revocation_endpoint && as.introspection_endpoint && as.jwks_uri);
  });

  it('runs the flow for a public client, validates the RFC 9068 token, and rotates the refresh token', async () => {
    const client = await register({ token_endpoint_auth_method: 'none', client_name: 'Strict Client' });
    const tokens = await authorize(client, oauth.None());
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.refresh_token);

    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request(`${server.url}/mcp`, { headers: { Authorization: `Bearer ${tokens.access_token}` } }),
      `${server.url}/mcp`,
      insecure,
    );
    assert.equal(claims.client_id, client.client_id);
    assert.equal(claims.iss, server.url);
    assert.equal(claims['scope'], 'mcp');

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
        additionalParameters: { resource: `${server.url}/mcp` },
        ...insecure,
      }),
    );
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

    // Reusing the spent token is refused and revokes the family: the new token dies with it.
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure)),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
    );
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, insecure)),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
    );
  });

  it('authenticates confidential clients with client_secret_basic and client_secret_post', async () => {
    for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
      const client = await register({ token_endpoint_auth_method: method });
      assert.ok(typeof client.client_secret === 'string');
      const auth =
        method === 'client_secret_basic' ? oauth.ClientSecretBasic(client.client_secret as string) : oauth.ClientSecretPost(client.client_secret as string);
      const tokens = await authorize(client, auth);
      assert.ok(tokens.access_token);
      // A wrong secret is invalid_client with a 401 and a challenge.
      const wrong = method === 'client_secret_basic' ? oauth.ClientSecretBasic('wrong') : oauth.ClientSecretPost('wrong');
      const response = await oauth.refreshTokenGrantRequest(as, client, wrong, tokens.refresh_token!, insecure);
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic /);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
    }
  });

  it('revokes a refresh token and lets a resource server introspect', async () => {
    const client = await register({ token_endpoint_auth_method: 'none' });
    const tokens = await authorize(client, oauth.None());
    // A resource server is a pre-registered confidential client.
    const { clientId, secret } = await addStaticClient(server.store);
    const rs: oauth.Client = { client_id: clientId };
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(as, rs, await oauth.introspectionRequest(as, rs, oauth.ClientSecretBasic(secret), token, insecure));

    const live = await introspect(tokens.access_token);
    assert.equal(live.active, true);
    assert.equal(live.aud, `${server.url}/mcp`);
    assert.equal(live.client_id, client.client_id);
    assert.equal(live['username'], 'alice');

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
    assert.equal((await introspect(tokens.access_token)).active, false, 'access tokens of a revoked grant are inactive');
    assert.equal((await introspect(tokens.refresh_token!)).active, false);
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure)),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
    );

    // A dynamically registered client may not introspect.
    const response = await oauth.introspectionRequest(as, client, oauth.None(), tokens.access_token, insecure);
    assert.equal(response.status, 401);
  });

  it("revokes an access token alone: its grant and the grant's other tokens stay live", async () => {
    const client = await register({ token_endpoint_auth_method: 'none' });
    const first = await authorize(client, oauth.None());
    const { clientId, secret } = await addStaticClient(server.store);
    const rs: oauth.Client = { client_id: clientId };
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(as, rs, await oauth.introspectionRequest(as, rs, oauth.ClientSecretBasic(secret), token, insecure));
    const second = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first.refresh_token!, insecure),
    );

    // Another client's revocation request changes nothing (RFC 7009 §2.1).
    const stranger = await register({ token_endpoint_auth_method: 'none' });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, stranger, oauth.None(), first.access_token, insecure));
    assert.equal((await introspect(first.access_token)).active, true);

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), first.access_token, insecure));
    assert.equal((await introspect(first.access_token)).active, false, 'the revoked access token');
    assert.equal((await introspect(second.access_token)).active, true, 'another access token of the grant');
    assert.equal((await introspect(second.refresh_token!)).active, true, "the grant's refresh token");
    // Revoking it again keeps it revoked.
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), first.access_token, insecure));
    assert.equal((await introspect(first.access_token)).active, false);
  });
});
