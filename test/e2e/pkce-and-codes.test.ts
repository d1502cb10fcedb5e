import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import {
  addStaticClient,
  assertOAuthError,
  assertTokens,
  authorizationParams,
  authorizationUrl,
  DEFAULT_REDIRECT_URI,
  discover,
  isActive,
  obtainCode,
  RFC7636_CHALLENGE,
  RFC7636_VERIFIER,
  redeemCode,
  refreshTokens,
  registerPublicClient,
  type ServerMetadata,
  type StaticClient,
  tokenRequest,
} from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { TestClock } from '../support/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { postgresSkipReason } from '../support/stores.js';

/**
 * PKCE, authorization codes and refresh tokens from the attacker's side, over real HTTP on
 * loopback (docs/design.md invariants 1–5). Every refusal is asserted by its OAuth `error` code and
 * HTTP status, never by message text.
 */

const LOGIN = { username: 'alice', password: 'correct horse battery staple' };
const RESOURCE_A = 'https://mcp-a.example.com/mcp';
const RESOURCE_B = 'https://mcp-b.example.com/mcp';
const SETTINGS = {
  resources: [{ uri: RESOURCE_A }, { uri: RESOURCE_B }],
  scopes: { read: 'Read things', write: 'Change things' },
  defaultScopes: ['read'],
};
/** A state value that breaks naive query building: spaces, unicode, & and =. */
const NASTY_STATE = 'a b&c=d%20e+f/ü✓🔐?x=1&';

/** Requests the authorization endpoint without following redirects. */
function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

/** Asserts an error redirect back to the client: the code, unchanged `state`, and `iss` (RFC 9207). */
async function assertErrorRedirect(response: Response, error: string, state: string, issuer: string, redirectUri = DEFAULT_REDIRECT_URI): Promise<void> {
  assert.equal(response.status, 302, `expected a redirect, got ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const location = new URL(response.headers.get('location')!);
  assert.equal(`${location.origin}${location.pathname}`, redirectUri);
  assert.equal(location.searchParams.get('error'), error);
  assert.equal(location.searchParams.get('state'), state, 'state is echoed unchanged');
  assert.equal(location.searchParams.get('iss'), issuer, 'iss is the issuer (RFC 9207)');
  assert.equal(location.searchParams.get('code'), null);
}

/** Asserts the error page of invariant 3: 400, HTML, and no Location header at all. */
async function assertErrorPage(response: Response): Promise<void> {
  assert.equal(response.headers.get('location'), null, 'an invalid client or redirect URI is never redirected to');
  assert.equal(response.status, 400);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  await response.text();
}

describe('PKCE at the authorization endpoint', () => {
  let server: TestServer;
  let as: ServerMetadata;
  let clientId: string;

  before(async () => {
    server = await startTestServer({ settings: SETTINGS });
    await server.addUser(LOGIN.username, LOGIN.password);
    as = await discover(server.url);
    clientId = await registerPublicClient(as);
  });
  after(() => server.close());

  const cases: { name: string; overrides: Record<string, string | undefined>; error: string }[] = [
    { name: 'code_challenge_method=plain', overrides: { code_challenge_method: 'plain', code_challenge: RFC7636_VERIFIER }, error: 'invalid_request' },
    { name: 'plain with a challenge of S256 shape', overrides: { code_challenge_method: 'plain' }, error: 'invalid_request' },
    { name: 'an unknown method', overrides: { code_challenge_method: 'S512' }, error: 'invalid_request' },
    { name: 'a lower-case method', overrides: { code_challenge_method: 's256' }, error: 'invalid_request' },
    { name: 'no code_challenge', overrides: { code_challenge: undefined }, error: 'invalid_request' },
    { name: 'no code_challenge and no method', overrides: { code_challenge: undefined, code_challenge_method: undefined }, error: 'invalid_request' },
    { name: 'no code_challenge_method (would default to plain)', overrides: { code_challenge_method: undefined }, error: 'invalid_request' },
    { name: 'an empty code_challenge', overrides: { code_challenge: '' }, error: 'invalid_request' },
    { name: 'a 42-character challenge', overrides: { code_challenge: RFC7636_CHALLENGE.slice(0, 42) }, error: 'invalid_request' },
    { name: 'a 44-character challenge', overrides: { code_challenge: `${RFC7636_CHALLENGE}A` }, error: 'invalid_request' },
    { name: 'a padded challenge (=)', overrides: { code_challenge: `${RFC7636_CHALLENGE.slice(0, 42)}=` }, error: 'invalid_request' },
    { name: 'a base64 (not base64url) challenge (+)', overrides: { code_challenge: `+${RFC7636_CHALLENGE.slice(1)}` }, error: 'invalid_request' },
    { name: 'a challenge with /', overrides: { code_challenge: `/${RFC7636_CHALLENGE.slice(1)}` }, error: 'invalid_request' },
    { name: 'an unknown resource', overrides: { resource: 'https://evil.example.com/mcp' }, error: 'invalid_target' },
    { name: 'a resource with a fragment', overrides: { resource: `${RESOURCE_A}#x` }, error: 'invalid_target' },
    { name: 'a scope the server does not offer', overrides: { scope: 'read admin' }, error: 'invalid_scope' },
    { name: 'response_type=token (implicit)', overrides: { response_type: 'token' }, error: 'unsupported_response_type' },
    { name: 'response_type=code token', overrides: { response_type: 'code token' }, error: 'unsupported_response_type' },
    { name: 'no response_type', overrides: { response_type: undefined }, error: 'invalid_request' },
  ];
  for (const { name, overrides, error } of cases) {
    it(`refuses ${name} with ${error}, redirecting with state and iss`, async () => {
      const response = await get(authorizationUrl(as, authorizationParams(clientId, { state: NASTY_STATE, ...overrides })));
      await assertErrorRedirect(response, error, NASTY_STATE, server.url);
    });
  }

  it('holds a pre-registered client to its scopes, but lets a self-registered one ask for more than it registered (step-up)', async () => {
    const staticId = `static-${randomSecret(6)}`;
    await server.store.clients.create({
      clientId: staticId,
      secretHash: null,
      tokenEndpointAuthMethod: 'none',
      redirectUris: [DEFAULT_REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token'],
      clientName: 'Operator-limited client',
      scope: ['read'],
      metadata: {},
      source: 'static',
      createdAt: Math.floor(Date.now() / 1000),
    });
    const refused = await get(authorizationUrl(as, authorizationParams(staticId, { state: NASTY_STATE, scope: 'read write' })));
    await assertErrorRedirect(refused, 'invalid_scope', NASTY_STATE, server.url);

    const registeredForRead = await registerPublicClient(as, { scope: 'read' });
    const widened = await get(authorizationUrl(as, authorizationParams(registeredForRead, { state: NASTY_STATE, scope: 'read write' })));
    const next = new URL(widened.headers.get('location')!, server.url);
    assert.equal(next.origin, server.url, 'sent to the login page, not back to the client with an error');
    assert.equal(next.searchParams.get('error'), null);
  });

  it('refuses plain over POST too', async () => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(authorizationParams(clientId, { state: NASTY_STATE, code_challenge_method: 'plain' }))) body.set(key, value!);
    const response = await fetch(as.authorization_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      redirect: 'manual',
    });
    await assertErrorRedirect(response, 'invalid_request', NASTY_STATE, server.url);
  });

  it('carries state exactly, including an empty-looking and a long one', async () => {
    for (const state of ['=', '&', ' ', '%', 'x'.repeat(1000), '日本語 state']) {
      const response = await get(authorizationUrl(as, authorizationParams(clientId, { state, code_challenge_method: 'plain' })));
      await assertErrorRedirect(response, 'invalid_request', state, server.url);
    }
  });

  it('accepts the well-formed request (the control for the cases above)', async () => {
    const response = await get(authorizationUrl(as, authorizationParams(clientId, { state: NASTY_STATE })));
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location')!, /\/login\?request=/);
  });
});

describe('invalid client or redirect URI: an error page, never a redirect', () => {
  let server: TestServer;
  let as: ServerMetadata;
  let clientId: string;
  let loopbackClientId: string;
  let portlessLoopbackClientId: string;

  before(async () => {
    server = await startTestServer({ settings: SETTINGS });
    await server.addUser(LOGIN.username, LOGIN.password);
    as = await discover(server.url);
    clientId = await registerPublicClient(as, { redirect_uris: ['https://app.example.com/cb'] });
    loopbackClientId = await registerPublicClient(as, { redirect_uris: ['http://127.0.0.1:1234/cb'] });
    portlessLoopbackClientId = await registerPublicClient(as, { redirect_uris: ['http://127.0.0.1/cb'] });
  });
  after(() => server.close());

  it('shows a page for an unknown client_id', async () => {
    await assertErrorPage(await get(authorizationUrl(as, authorizationParams('no-such-client', { redirect_uri: 'https://app.example.com/cb' }))));
  });

  it('shows a page for a missing redirect_uri, even with a single one registered', async () => {
    await assertErrorPage(await get(authorizationUrl(as, authorizationParams(clientId, { redirect_uri: undefined }))));
  });

  it('shows a page for a missing client_id', async () => {
    await assertErrorPage(await get(authorizationUrl(as, authorizationParams('x', { client_id: undefined, redirect_uri: 'https://app.example.com/cb' }))));
  });

  const unregistered = [
    'https://evil.example.com/cb',
    'https://app.example.com/cb/',
    'https://app.example.com/CB',
    'https://APP.example.com/cb',
    'https://app.example.com/cb?x=1',
    'https://app.example.com/cb/evil',
    'https://app.example.com/cbx',
    'https://app.example.com/cb#frag',
    'https://app.example.com:443/cb/../cb',
    'https://app.example.com/%63b',
    'https://evil@app.example.com/cb',
    'https://app.example.com.evil.example/cb',
    'http://app.example.com/cb',
    'javascript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.example.com/cb',
    '',
  ];
  for (const redirectUri of unregistered) {
    it(`shows a page for redirect_uri ${JSON.stringify(redirectUri)}`, async () => {
      await assertErrorPage(await get(authorizationUrl(as, authorizationParams(clientId, { redirect_uri: redirectUri }))));
    });
  }

  it('shows a page, not a redirect, even when the request has other errors too', async () => {
    const params = authorizationParams(clientId, { redirect_uri: 'https://evil.example.com/cb', code_challenge_method: 'plain', response_type: 'token' });
    await assertErrorPage(await get(authorizationUrl(as, params)));
  });

  it('shows a page for an unknown client even with a registered-looking redirect', async () => {
    await assertErrorPage(await get(authorizationUrl(as, authorizationParams(`${clientId}x`, { redirect_uri: 'https://app.example.com/cb' }))));
  });

  it('lets a loopback IP redirect change only its port (RFC 8252 §7.3), end to end', async () => {
    const response = await get(authorizationUrl(as, authorizationParams(loopbackClientId, { redirect_uri: 'http://127.0.0.1:5555/cb' })));
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location')!, /\/login\?request=/);

    const obtained = await obtainCode(as, loopbackClientId, LOGIN, { redirectUri: 'http://127.0.0.1:5555/cb' });
    assert.equal(obtained.callback.origin, 'http://127.0.0.1:5555');
    // The code is bound to the redirect URI actually used.
    const tokens = await redeemCode(as, {
      clientId: loopbackClientId,
      code: obtained.code,
      verifier: obtained.verifier,
      redirectUri: 'http://127.0.0.1:5555/cb',
    });
    assertTokens(tokens);
  });

  for (const redirectUri of [
    'http://127.0.0.1:5555/cb2',
    'http://localhost:5555/cb',
    'http://localhost:1234/cb',
    'http://127.0.0.2:1234/cb',
    'http://[::1]:1234/cb',
    'https://127.0.0.1:1234/cb',
    'http://127.0.0.1:5555/cb?x',
    'http://u@127.0.0.1:5555/cb',
  ]) {
    it(`does not stretch the loopback exception to ${redirectUri}`, async () => {
      await assertErrorPage(await get(authorizationUrl(as, authorizationParams(loopbackClientId, { redirect_uri: redirectUri }))));
    });
  }

  it('accepts the default port :80 like any other loopback port (RFC 8252 §7.3), end to end', async () => {
    const response = await get(authorizationUrl(as, authorizationParams(portlessLoopbackClientId, { redirect_uri: 'http://127.0.0.1:80/cb' })));
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location')!, /\/login\?request=/);

    const obtained = await obtainCode(as, portlessLoopbackClientId, LOGIN, { redirectUri: 'http://127.0.0.1:80/cb' });
    assert.equal(`${obtained.callback.origin}${obtained.callback.pathname}`, 'http://127.0.0.1/cb');
    // The code is bound to the string the client sent, and the token request is held to it.
    const tokens = await redeemCode(as, {
      clientId: portlessLoopbackClientId,
      code: obtained.code,
      verifier: obtained.verifier,
      redirectUri: 'http://127.0.0.1:80/cb',
    });
    assertTokens(tokens);
  });

  for (const redirectUri of ['http://127.0.0.1/cb?', 'http://127.0.0.1:80/cb?', 'http://127.0.0.1:5555/cb?']) {
    it(`shows a page for ${redirectUri} when http://127.0.0.1/cb is registered (an empty query is another string)`, async () => {
      await assertErrorPage(await get(authorizationUrl(as, authorizationParams(portlessLoopbackClientId, { redirect_uri: redirectUri }))));
    });
  }
});

describe('the token endpoint from the attacker side', () => {
  let server: TestServer;
  let as: ServerMetadata;
  let clientId: string;
  let rs: StaticClient;

  before(async () => {
    server = await startTestServer({ settings: SETTINGS });
    await server.addUser(LOGIN.username, LOGIN.password);
    as = await discover(server.url);
    clientId = await registerPublicClient(as);
    rs = await addStaticClient(server.store);
  });
  after(() => server.close());

  it('redeems a code with the RFC 7636 Appendix B verifier and challenge', async () => {
    assert.equal(computeS256Challenge(RFC7636_VERIFIER), RFC7636_CHALLENGE);
    const { code } = await obtainCode(as, clientId, LOGIN, { verifier: RFC7636_VERIFIER });
    const result = await redeemCode(as, { clientId, code, verifier: RFC7636_VERIFIER, resource: RESOURCE_A });
    const tokens = assertTokens(result);
    assert.equal(result.headers.get('cache-control'), 'no-store');
    assert.equal(result.body['token_type'], 'Bearer');
    assert.equal(await isActive(as, rs, tokens.access_token), true);
  });

  it('refuses a wrong verifier with invalid_grant and burns the code', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    assertOAuthError(await redeemCode(as, { clientId, code, verifier: randomSecret(32) }), 'invalid_grant');
    assertOAuthError(await redeemCode(as, { clientId, code, verifier }), 'invalid_grant');
  });

  it('refuses the challenge itself presented as the verifier (a plain downgrade)', async () => {
    const { code } = await obtainCode(as, clientId, LOGIN, { verifier: RFC7636_VERIFIER });
    assertOAuthError(await redeemCode(as, { clientId, code, verifier: RFC7636_CHALLENGE }), 'invalid_grant');
    assertOAuthError(await redeemCode(as, { clientId, code, verifier: RFC7636_VERIFIER }), 'invalid_grant');
  });

  for (const [name, bad] of [
    ['too short (42)', RFC7636_VERIFIER.slice(0, 42)],
    ['too long (129)', 'a'.repeat(129)],
    ['with a space', `${RFC7636_VERIFIER.slice(0, 42)} `],
    ['with +', `${RFC7636_VERIFIER.slice(0, 42)}+`],
    ['with /', `${RFC7636_VERIFIER.slice(0, 42)}/`],
    ['with =', `${RFC7636_VERIFIER.slice(0, 42)}=`],
    ['non-ASCII', `${RFC7636_VERIFIER.slice(0, 42)}é`],
    ['empty', ''],
  ] as const) {
    it(`refuses a malformed verifier ${name} with invalid_request`, async () => {
      const { code } = await obtainCode(as, clientId, LOGIN);
      assertOAuthError(await redeemCode(as, { clientId, code, verifier: bad }), 'invalid_request');
    });
  }

  it('refuses a missing verifier with invalid_request', async () => {
    const { code } = await obtainCode(as, clientId, LOGIN);
    assertOAuthError(await redeemCode(as, { clientId, code, verifier: undefined }), 'invalid_request');
  });

  it('refuses a reused code and revokes the tokens of the first redemption', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const first = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    assert.equal(await isActive(as, rs, first.access_token), true);
    assert.equal(await isActive(as, rs, first.refresh_token), true);

    const replay = await redeemCode(as, { clientId, code, verifier });
    assertOAuthError(replay, 'invalid_grant');
    assert.equal(replay.headers.get('cache-control'), 'no-store');

    assert.equal(await isActive(as, rs, first.access_token), false, 'access token of a replayed code is revoked');
    assert.equal(await isActive(as, rs, first.refresh_token), false, 'refresh token of a replayed code is revoked');
    assertOAuthError(await refreshTokens(as, { clientId, refreshToken: first.refresh_token }), 'invalid_grant');
  });

  it('refuses a code presented by another client and burns it', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const attacker = await registerPublicClient(as);
    assertOAuthError(await redeemCode(as, { clientId: attacker, code, verifier }), 'invalid_grant');
    assertOAuthError(await redeemCode(as, { clientId, code, verifier }), 'invalid_grant');
  });

  it('refuses a code with another redirect_uri, and a missing one', async () => {
    const first = await obtainCode(as, clientId, LOGIN);
    assertOAuthError(
      await redeemCode(as, { clientId, code: first.code, verifier: first.verifier, redirectUri: 'http://127.0.0.1:53124/other' }),
      'invalid_grant',
    );
    assertOAuthError(await redeemCode(as, { clientId, code: first.code, verifier: first.verifier }), 'invalid_grant');

    const second = await obtainCode(as, clientId, LOGIN);
    const missing = await tokenRequest(as, { grant_type: 'authorization_code', client_id: clientId, code: second.code, code_verifier: second.verifier });
    assert.equal(missing.status, 400);
    assert.ok(missing.body['error'] === 'invalid_request' || missing.body['error'] === 'invalid_grant', `got ${JSON.stringify(missing.body)}`);
  });

  it('refuses an unknown or forged code with invalid_grant', async () => {
    assertOAuthError(await redeemCode(as, { clientId, code: randomSecret(32), verifier: RFC7636_VERIFIER }), 'invalid_grant');
  });

  it('refuses a token request for another resource than authorized with invalid_target', async () => {
    const other = await obtainCode(as, clientId, LOGIN, { resource: RESOURCE_A });
    assertOAuthError(await redeemCode(as, { clientId, code: other.code, verifier: other.verifier, resource: RESOURCE_B }), 'invalid_target');
    const unknown = await obtainCode(as, clientId, LOGIN, { resource: RESOURCE_A });
    assertOAuthError(
      await redeemCode(as, { clientId, code: unknown.code, verifier: unknown.verifier, resource: 'https://evil.example.com/mcp' }),
      'invalid_target',
    );
  });

  it('binds the access token audience to the authorized resource', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN, { resource: RESOURCE_B });
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as { aud: string };
    assert.equal(payload.aud, RESOURCE_B);
  });

  it('refuses a refresh with a broader scope (invalid_scope) or another resource (invalid_target)', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN, { scope: 'read', resource: RESOURCE_A });
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    assert.equal(tokens.scope, 'read');
    assertOAuthError(await refreshTokens(as, { clientId, refreshToken: tokens.refresh_token, scope: 'read write' }), 'invalid_scope');
    assertOAuthError(await refreshTokens(as, { clientId, refreshToken: tokens.refresh_token, scope: 'write' }), 'invalid_scope');
    assertOAuthError(await refreshTokens(as, { clientId, refreshToken: tokens.refresh_token, resource: RESOURCE_B }), 'invalid_target');
    assertOAuthError(await refreshTokens(as, { clientId, refreshToken: tokens.refresh_token, resource: 'https://evil.example.com/mcp' }), 'invalid_target');
    // None of the refusals spent the token (a spent one would now be a reuse and revoke the grant).
    const narrowed = assertTokens(await refreshTokens(as, { clientId, refreshToken: tokens.refresh_token, resource: RESOURCE_A, scope: 'read' }));
    assertTokens(await refreshTokens(as, { clientId, refreshToken: narrowed.refresh_token }));
  });

  it('refuses a refresh token presented by another client', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const attacker = await registerPublicClient(as);
    assertOAuthError(await refreshTokens(as, { clientId: attacker, refreshToken: tokens.refresh_token }), 'invalid_grant');
  });

  it('refuses a reused refresh token and revokes the whole family, newest included', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const first = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const second = assertTokens(await refreshTokens(as, { clientId, refreshToken: first.refresh_token }));
    assert.notEqual(second.refresh_token, first.refresh_token);
    const third = assertTokens(await refreshTokens(as, { clientId, refreshToken: second.refresh_token }));
    assert.equal(await isActive(as, rs, third.access_token), true);

    assertOAuthError(await refreshTokens(as, { clientId, refreshToken: first.refresh_token }), 'invalid_grant');

    assertOAuthError(await refreshTokens(as, { clientId, refreshToken: third.refresh_token }), 'invalid_grant');
    for (const token of [first.access_token, second.access_token, third.access_token, third.refresh_token]) {
      assert.equal(await isActive(as, rs, token), false);
    }
  });

  it('refuses forged refresh tokens naming a live grant, and none of them revokes it', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const first = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const current = assertTokens(await refreshTokens(as, { clientId, refreshToken: first.refresh_token }));
    // The grant id is no secret (every access token's jti carries it); the MAC is what counts.
    const [grantId, generation, mac] = current.refresh_token.split('.') as [string, string, string];
    const flipped = `${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`;
    const forgeries = [
      `${grantId}.0.${'A'.repeat(43)}`, // an "earlier generation": would revoke the family if believed
      `${grantId}.0.${mac}`, // the current MAC moved to another generation
      `${grantId}.${Number(generation) + 1}.${mac}`,
      `${grantId}.${generation}.${flipped}`,
      `${grantId}.${generation}.${mac}A`,
      `${grantId}.${generation}`,
    ];
    for (const forged of forgeries) {
      assertOAuthError(await refreshTokens(as, { clientId, refreshToken: forged }), 'invalid_grant');
      // RFC 7009 §2.2: 200 whatever the token; the checks below show it revoked nothing.
      const revoked = await fetch(as.revocation_endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, token: forged }),
      });
      assert.equal(revoked.status, 200);
    }
    assert.equal(await isActive(as, rs, current.refresh_token), true);
    assert.equal(await isActive(as, rs, current.access_token), true);
    assertTokens(await refreshTokens(as, { clientId, refreshToken: current.refresh_token }));
  });

  it('sends Cache-Control: no-store on token responses and errors', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const ok = await redeemCode(as, { clientId, code, verifier });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    const refused = await redeemCode(as, { clientId, code, verifier });
    assert.equal(refused.headers.get('cache-control'), 'no-store');
    const refreshed = await refreshTokens(as, { clientId, refreshToken: ok.body['refresh_token'] as string });
    assert.equal(refreshed.headers.get('cache-control'), 'no-store');
  });

  it('answers invalid_client with 401 and WWW-Authenticate', async () => {
    const unknown = await tokenRequest(as, {
      grant_type: 'authorization_code',
      client_id: 'no-such-client',
      code: 'x',
      code_verifier: RFC7636_VERIFIER,
      redirect_uri: DEFAULT_REDIRECT_URI,
    });
    assertOAuthError(unknown, 'invalid_client', 401);
    assert.ok(unknown.headers.get('www-authenticate'), 'a WWW-Authenticate challenge');
    assert.equal(unknown.headers.get('cache-control'), 'no-store');

    // A public client pretending to hold a secret, and a wrong Basic secret for a confidential one.
    const withSecret = await tokenRequest(as, { grant_type: 'refresh_token', client_id: clientId, client_secret: 'guess', refresh_token: 'x' });
    assertOAuthError(withSecret, 'invalid_client', 401);
    assert.ok(withSecret.headers.get('www-authenticate'), 'a WWW-Authenticate challenge');

    const registered = await fetch(as.registration_endpoint!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [DEFAULT_REDIRECT_URI], token_endpoint_auth_method: 'client_secret_basic' }),
    });
    const confidential = (await registered.json()) as { client_id: string };
    const wrong = await tokenRequest(
      as,
      { grant_type: 'authorization_code', code: 'x', code_verifier: RFC7636_VERIFIER, redirect_uri: DEFAULT_REDIRECT_URI },
      { Authorization: `Basic ${Buffer.from(`${confidential.client_id}:wrong`).toString('base64')}` },
    );
    assertOAuthError(wrong, 'invalid_client', 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic /);
    // Without any credentials the confidential client is not authenticated either.
    assertOAuthError(await tokenRequest(as, { grant_type: 'authorization_code', client_id: confidential.client_id, code: 'x' }), 'invalid_client', 401);
  });
});

describe('code lifetime (a TestClock)', () => {
  let server: TestServer;
  let clock: TestClock;
  let as: ServerMetadata;
  let clientId: string;

  before(async () => {
    clock = new TestClock();
    server = await startTestServer({ clock });
    await server.addUser(LOGIN.username, LOGIN.password);
    as = await discover(server.url);
    clientId = await registerPublicClient(as);
  });
  after(() => server.close());

  it('refuses a code 61 s old with invalid_grant', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    clock.advance(61);
    assertOAuthError(await redeemCode(as, { clientId, code, verifier }), 'invalid_grant');
  });

  it('still redeems a code 59 s old (the control)', async () => {
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    clock.advance(59);
    assertTokens(await redeemCode(as, { clientId, code, verifier }));
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`concurrent redemption and rotation over HTTP (${dialect})`, { skip: dialect === 'postgres' ? await postgresSkipReason() : false }, () => {
    let server: TestServer;
    let as: ServerMetadata;
    let clientId: string;
    let rs: StaticClient;
    let browser: FormBrowser;

    before(async () => {
      server = await startTestServer({ dialect });
      await server.addUser(LOGIN.username, LOGIN.password);
      as = await discover(server.url);
      clientId = await registerPublicClient(as);
      rs = await addStaticClient(server.store);
      // One signed-in browser with remembered consent, so each code costs one request.
      browser = new FormBrowser(server.url);
      await obtainCode(as, clientId, LOGIN, { browser });
    });
    after(() => server?.close());

    for (const racers of [2, 10]) {
      it(`lets exactly one of ${racers} concurrent redemptions of one code win, and none keep live tokens`, async () => {
        for (let round = 0; round < 3; round++) {
          const { code, verifier } = await obtainCode(as, clientId, LOGIN, { browser });
          const results = await Promise.all(Array.from({ length: racers }, () => redeemCode(as, { clientId, code, verifier })));
          const winners = results.filter((r) => r.status === 200);
          assert.equal(winners.length, 1, `${winners.length} of ${racers} redemptions succeeded`);
          for (const loser of results.filter((r) => r.status !== 200)) assertOAuthError(loser, 'invalid_grant');
          // The losers were replays (RFC 6749 §4.1.2): whatever the winner got is revoked.
          for (const winner of winners) {
            const tokens = assertTokens(winner);
            assert.equal(await isActive(as, rs, tokens.access_token), false);
            assertOAuthError(await refreshTokens(as, { clientId, refreshToken: tokens.refresh_token }), 'invalid_grant');
          }
        }
      });

      it(`lets exactly one of ${racers} concurrent uses of one refresh token win, and revokes the family`, async () => {
        for (let round = 0; round < 3; round++) {
          const { code, verifier } = await obtainCode(as, clientId, LOGIN, { browser });
          const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
          const results = await Promise.all(Array.from({ length: racers }, () => refreshTokens(as, { clientId, refreshToken: tokens.refresh_token })));
          const winners = results.filter((r) => r.status === 200);
          assert.equal(winners.length, 1, `${winners.length} of ${racers} rotations succeeded`);
          for (const loser of results.filter((r) => r.status !== 200)) assertOAuthError(loser, 'invalid_grant');
          // The losers reused a spent token (invariant 5): the family, the winner's new token included, is dead.
          assert.equal(await isActive(as, rs, tokens.access_token), false);
          for (const winner of winners) {
            const rotated = assertTokens(winner);
            assert.equal(await isActive(as, rs, rotated.access_token), false);
            assertOAuthError(await refreshTokens(as, { clientId, refreshToken: rotated.refresh_token }), 'invalid_grant');
          }
        }
      });
    }

    it('redeems one code exactly once when requests are sequential (the control)', async () => {
      const { code, verifier } = await obtainCode(as, clientId, LOGIN, { browser });
      assertTokens(await redeemCode(as, { clientId, code, verifier }));
      assertOAuthError(await redeemCode(as, { clientId, code, verifier }), 'invalid_grant');
    });
  });
}
