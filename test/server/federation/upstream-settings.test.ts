/** The `federation` config section: validation with messages that say what to fix, credentials from the environment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, resolveServerConfig } from '../../../src/server/config.js';
import { resolveFederationConfig } from '../../../src/server/federation/upstream-settings.js';

const oidc = { id: 'corp', name: 'Corp SSO', type: 'oidc' as const, issuer: 'https://login.example.com', clientId: 'portcullis', clientSecret: 's3cret' };
const github = {
  id: 'github',
  name: 'GitHub',
  type: 'oauth2' as const,
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  userinfoEndpoint: 'https://api.github.com/user',
  clientId: 'Iv1.abc',
  clientSecretEnv: 'GITHUB_SECRET',
};

describe('federation settings', () => {
  it('applies defaults: OpenID scopes, client_secret_basic with a secret, local users on', () => {
    const config = resolveFederationConfig({ providers: [oidc] }, {});
    assert.equal(config.localUsers, true);
    const [corp] = config.providers;
    assert.deepEqual(corp!.scopes, ['openid', 'email', 'profile']);
    assert.equal(corp!.tokenEndpointAuthMethod, 'client_secret_basic');
    assert.equal(corp!.oauth2, undefined);
  });

  it('reads a secret from the environment, and says which variable is missing', () => {
    const config = resolveFederationConfig({ providers: [github] }, { GITHUB_SECRET: 'from-env' });
    assert.equal(config.providers[0]!.clientSecret, 'from-env');
    assert.equal(config.providers[0]!.oauth2!.subjectField, 'id');
    assert.equal(config.providers[0]!.issuer, 'https://github.com');
    assert.throws(() => resolveFederationConfig({ providers: [github] }, {}), /GITHUB_SECRET is not set/);
  });

  it('refuses what would be unsafe or ambiguous, naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ providers: [{ ...oidc, issuer: 'http://login.example.com' }] }, /issuer: an https URL/],
      [{ providers: [{ ...oidc, issuer: 'http://127.0.0.1:9000' }] }, /^$/],
      [{ providers: [{ ...oidc, scopes: ['email'] }] }, /needs the openid scope/],
      [{ providers: [{ ...oidc, clientSecret: undefined, tokenEndpointAuthMethod: 'client_secret_post' }] }, /needs clientSecret/],
      [{ providers: [{ ...oidc, clientSecretEnv: 'X' }] }, /not both/],
      [{ providers: [oidc, oidc] }, /used twice/],
      [{ providers: [{ ...oidc, id: 'Corp SSO' }] }, /providers\.0\.id/],
      [{ providers: [] }, /providers/],
      [{ providers: [{ ...oidc, clientId: undefined }] }, /clientId or clientIdEnv/],
      [{ providers: [{ ...oidc, surprise: true }] }, /surprise|Unrecognized/i],
    ];
    for (const [settings, message] of cases) {
      if (message.source === '^$') {
        assert.doesNotThrow(() => resolveFederationConfig(settings, {}));
        continue;
      }
      assert.throws(() => resolveFederationConfig(settings, {}), message, JSON.stringify(settings));
    }
  });

  it('refuses a plain OAuth 2.0 provider whose endpoints are http unless its issuer is http on loopback too (docs/federation.md, "Configure")', () => {
    const local = 'http://127.0.0.1:9000';
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      // An https provider never has an http endpoint used, loopback included.
      [{ tokenEndpoint: `${local}/token` }, /tokenEndpoint: use https/],
      [{ userinfoEndpoint: `${local}/user` }, /userinfoEndpoint: use https/],
      [{ revocationEndpoint: `${local}/revoke` }, /revocationEndpoint: use https/],
      [
        { issuer: 'https://github.com', authorizationEndpoint: `${local}/authorize`, tokenEndpoint: `${local}/token`, userinfoEndpoint: `${local}/user` },
        /authorizationEndpoint: use https/,
      ],
    ];
    for (const [change, message] of refused) {
      assert.throws(() => resolveFederationConfig({ providers: [{ ...github, ...change }] }, { GITHUB_SECRET: 's' }), message, JSON.stringify(change));
    }
    const development = {
      authorizationEndpoint: `${local}/authorize`,
      tokenEndpoint: `http://localhost:9001/token`,
      userinfoEndpoint: `${local}/user`,
      revocationEndpoint: 'https://github.com/revoke',
    };
    assert.equal(
      resolveFederationConfig({ providers: [{ ...github, ...development }] }, { GITHUB_SECRET: 's' }).providers[0]!.issuer,
      local,
      'all on loopback (and https anywhere) is fine',
    );
  });

  it('is part of the server config, as a ConfigError', () => {
    const config = resolveServerConfig({ issuer: 'http://127.0.0.1:8080', federation: { localUsers: false, providers: [oidc] } }, {});
    assert.equal(config.federation?.localUsers, false);
    assert.throws(
      () => resolveServerConfig({ issuer: 'http://127.0.0.1:8080', federation: { providers: [github] } }, {}),
      (error: unknown) => error instanceof ConfigError && /GITHUB_SECRET/.test(error.message),
    );
  });
});
