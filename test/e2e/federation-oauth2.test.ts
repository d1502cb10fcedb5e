import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import {
  authorizationParams,
  authorizationUrl,
  DEFAULT_REDIRECT_URI,
  discover,
  RFC7636_VERIFIER,
  redeemCode,
  registerPublicClient,
  type ServerMetadata,
} from '../support/authorization-flow.js';
import { CrossOriginBrowser } from '../support/cross-origin-browser.js';
import { freePort, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestOAuthProvider, type TestOAuthProvider } from '../support/test-oauth-provider.js';

const atClient = (url: URL) => url.href.startsWith(DEFAULT_REDIRECT_URI);

/**
 * A plain OAuth 2.0 upstream, GitHub style: no discovery, no ID token; who signed in comes from a
 * user-info URL and a configured field. Scope rules narrow what the token may do.
 */
describe('federation with a plain OAuth 2.0 provider', () => {
  let upstream: TestOAuthProvider;
  let stack: TestGateway;
  let as: ServerMetadata;

  before(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    upstream = await startTestOAuthProvider({
      mode: 'oauth2',
      clientId: 'Iv1.portcullis',
      clientSecret: 'github-style-secret',
      redirectUri: `${issuer}/federation/github/callback`,
      user: { id: 42, login: 'octocat', email: 'octo@example.com', plan: 'free' },
    });
    process.env['TEST_GITHUB_SECRET'] = 'github-style-secret';
    stack = await startTestGateway({
      port,
      settings: {
        federation: {
          providers: [
            {
              id: 'github',
              name: 'GitHub',
              type: 'oauth2',
              authorizationEndpoint: upstream.endpoints.authorization,
              tokenEndpoint: upstream.endpoints.token,
              userinfoEndpoint: upstream.endpoints.userinfo,
              revocationEndpoint: upstream.endpoints.revocation,
              subjectField: 'id',
              nameField: 'login',
              clientId: 'Iv1.portcullis',
              clientSecretEnv: 'TEST_GITHUB_SECRET',
              tokenEndpointAuthMethod: 'client_secret_post',
              scopes: ['read:user', 'user:email'],
              scopeRules: [{ scope: 'notes:write', claim: 'plan', values: ['pro'] }],
            },
          ],
        },
      },
    });
    as = await discover(stack.issuer);
  });
  after(async () => {
    await stack.close();
    await upstream.close();
    delete process.env['TEST_GITHUB_SECRET'];
  });

  it('signs in through the provider, identifies the user by the configured field, and narrows scopes by claims', async () => {
    const clientId = await registerPublicClient(as);
    const browser = new CrossOriginBrowser();
    const login = await browser.navigate(authorizationUrl(as, authorizationParams(clientId, { scope: 'notes:read notes:write', state: 's-1' })), {}, atClient);
    const loginHtml = await login.response.text();
    assert.match(loginHtml, /name="password"/, 'local users stay on by default');
    assert.match(loginHtml, /Sign in with <bdi>GitHub<\/bdi>/);
    const consent = await browser.submitForm({ html: loginHtml, url: login.url }, { provider: 'github' }, { stopAt: atClient });
    const end = await browser.submitForm({ html: await consent.response.text(), url: consent.url }, { decision: 'approve' }, { stopAt: atClient });
    assert.equal(end.stoppedAt?.searchParams.get('state'), 's-1', `back at the client, got ${end.response.status} ${end.url}`);

    const sent = upstream.log.authorization.at(-1)!;
    assert.equal(sent['code_challenge_method'], 'S256', 'PKCE even though the provider does not advertise it');
    assert.equal(sent['scope'], 'read:user user:email');
    assert.equal(upstream.log.token.at(-1)!['client_secret'], 'github-style-secret', 'client_secret_post, read from the environment');

    const tokens = await redeemCode(as, { clientId, code: end.stoppedAt!.searchParams.get('code')!, verifier: RFC7636_VERIFIER });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(tokens.body['scope'], 'notes:read', 'notes:write withheld: the plan claim is not pro');
    const claims = decodeJwt(tokens.body['access_token'] as string);
    const user = await stack.store.users.findById(claims.sub!);
    assert.equal(user?.username, 'github:42', 'identified by the id field, not the changeable login');
    assert.equal((await stack.store.federation.findIdentityOfUser(user!.id))?.displayName, 'octocat');

    // The local password form cannot be used to sign in as a federated user.
    const local = new CrossOriginBrowser();
    const page = await local.navigate(authorizationUrl(as, authorizationParams(clientId)), {}, atClient);
    const html = await page.response.text();
    const attempt = await local.submitForm({ html, url: page.url }, { username: 'github:42', password: '' }, { formIndex: 1, stopAt: atClient });
    assert.equal(attempt.response.status, 401);
    assert.equal(attempt.stoppedAt, undefined);

    // Revoking the grant revokes the upstream tokens at the provider's revocation endpoint.
    const upstreamAccess = [...upstream.log.token].reverse().find((t) => t['grant_type'] === 'authorization_code');
    assert.ok(upstreamAccess);
    const revoked = await fetch(as.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.body['refresh_token'] as string, client_id: clientId }),
    });
    assert.equal(revoked.status, 200);
    const started = Date.now();
    while (Date.now() - started < 2000 && upstream.revoked.size < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(upstream.revoked.size, 2, 'refresh and access token revoked upstream');
    for (const token of upstream.revoked) assert.equal(upstream.isAccessTokenValid(token), false);
  });
});
