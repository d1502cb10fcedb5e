import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
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
import { CrossOriginBrowser, type Page } from '../support/cross-origin-browser.js';
import { freePort, startTestGateway, type TestGateway } from '../support/gateway.js';
import { parseForms } from '../support/html-form.js';
import { startTestOAuthProvider, type TestOAuthProvider } from '../support/test-oauth-provider.js';

const atClient = (url: URL) => url.href.startsWith(DEFAULT_REDIRECT_URI);

/**
 * The attacker's side of federation, against two OpenID providers the test runs (one honest, one
 * the attacker's) whose answers it can bend: forged and replayed `state`, a callback in another
 * browser, a wrong `nonce`, ID tokens of another issuer or audience, a mix-up, an outage of the
 * token endpoint. Each ends on a page (never a code), and where the flow was genuine, the client
 * is told with the right OAuth error.
 */
describe('federation under attack', () => {
  let good: TestOAuthProvider;
  let evil: TestOAuthProvider;
  let stack: TestGateway;
  let as: ServerMetadata;
  let clientId: string;

  before(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const user = { sub: 'user-7', email: 'erin@example.com', email_verified: true, name: 'Erin' };
    good = await startTestOAuthProvider({
      mode: 'oidc',
      clientId: 'portcullis',
      clientSecret: 'good-secret',
      redirectUri: `${issuer}/federation/good/callback`,
      user,
    });
    evil = await startTestOAuthProvider({
      mode: 'oidc',
      clientId: 'portcullis',
      clientSecret: 'evil-secret',
      redirectUri: `${issuer}/federation/evil/callback`,
      user: { ...user, sub: 'attacker' },
    });
    const provider = (id: string, upstream: TestOAuthProvider, secret: string) => ({
      id,
      name: `${id} IdP`,
      type: 'oidc' as const,
      issuer: upstream.issuer,
      clientId: 'portcullis',
      clientSecret: secret,
      timeoutSeconds: 2,
    });
    stack = await startTestGateway({
      port,
      settings: { federation: { localUsers: false, providers: [provider('good', good, 'good-secret'), provider('evil', evil, 'evil-secret')] } },
    });
    as = await discover(stack.issuer);
    clientId = await registerPublicClient(as);
  });
  after(async () => {
    await stack.close();
    await good.close();
    await evil.close();
  });
  beforeEach(() => {
    for (const upstream of [good, evil]) {
      Object.assign(upstream.knobs, { deny: false, tokenEndpointStatus: undefined, idToken: undefined, issOverride: undefined, sendIss: true });
    }
  });

  /** A fresh browser through the login and consent pages to the provider's redirect back to Portcullis (not followed). */
  async function toCallback(providerId: string, browser = new CrossOriginBrowser()): Promise<{ browser: CrossOriginBrowser; callback: URL; state: string }> {
    const state = `client-state-${Math.random()}`;
    const isCallback = (url: URL) => url.pathname.startsWith('/federation/') || atClient(url);
    const login = await browser.navigate(authorizationUrl(as, authorizationParams(clientId, { state })), {}, isCallback);
    const loginHtml = await login.response.text();
    const formIndex = parseForms(loginHtml).findIndex((f) => f.buttons.some((b) => b.value === providerId));
    const consent = await browser.submitForm({ html: loginHtml, url: login.url }, { provider: providerId }, { formIndex, stopAt: isCallback });
    const back = await browser.submitForm({ html: await consent.response.text(), url: consent.url }, { decision: 'approve' }, { stopAt: isCallback });
    assert.ok(back.stoppedAt?.pathname.startsWith('/federation/'), `redirected back to a federation callback, got ${back.response.status} ${back.url}`);
    return { browser, callback: back.stoppedAt!, state };
  }

  async function finish(browser: CrossOriginBrowser, callback: URL): Promise<Page> {
    return browser.navigate(callback.href, {}, atClient);
  }

  /** The client redirect a failure page's button leads to. */
  async function returnLink(page: Page): Promise<URL> {
    const html = await page.response.text();
    const href = /href="(http:\/\/127\.0\.0\.1:53124[^"]+)"/.exec(html)?.[1];
    assert.ok(href, `a return link on: ${html.slice(html.indexOf('<main'), html.indexOf('<main') + 600)}`);
    return new URL(href.replace(/&amp;/g, '&'));
  }

  it('sends PKCE S256, a nonce and the exact callback upstream, and completes an honest flow', async () => {
    const { browser, callback, state } = await toCallback('good');
    const sent = good.log.authorization.at(-1)!;
    assert.equal(sent['code_challenge_method'], 'S256');
    assert.match(sent['code_challenge']!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(sent['nonce'] && sent['nonce'].length >= 32);
    assert.equal(sent['redirect_uri'], `${stack.issuer}/federation/good/callback`);
    const end = await finish(browser, callback);
    assert.equal(end.stoppedAt?.searchParams.get('state'), state);
    assert.match(good.log.token.at(-1)!['code_verifier']!, /^[A-Za-z0-9._~-]{43,128}$/);
    const tokens = await redeemCode(as, { clientId, code: end.stoppedAt!.searchParams.get('code')!, verifier: RFC7636_VERIFIER });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  });

  it('refuses a replayed callback, a forged state, and a callback opened in another browser', async () => {
    const { browser, callback } = await toCallback('good');
    assert.ok((await finish(browser, callback)).stoppedAt?.searchParams.get('code'), 'the first use works');
    const replay = await finish(browser, callback);
    assert.equal(replay.stoppedAt, undefined);
    assert.equal(replay.response.status, 400);
    assert.match(await replay.response.text(), /This sign-in response is not valid/);

    const next = await toCallback('good');
    const forged = new URL(next.callback);
    forged.searchParams.set('state', `${next.callback.searchParams.get('state')}x`);
    const refused = await finish(next.browser, forged);
    assert.equal(refused.response.status, 400);
    assert.equal(refused.stoppedAt, undefined);

    // Login CSRF: the attacker's own callback fed to a victim's browser.
    const attackers = await toCallback('good');
    const victim = await finish(new CrossOriginBrowser(), attackers.callback);
    assert.equal(victim.response.status, 400);
    assert.equal(victim.stoppedAt, undefined, 'no code for the attacker via the victim');
    // Taken by the failed try: the state is single-use even then.
    assert.equal((await finish(attackers.browser, attackers.callback)).response.status, 400);
  });

  it('refuses an ID token with a wrong nonce, issuer or audience, and tells the client server_error', async () => {
    for (const idToken of [{ nonce: 'another-attempt' }, { iss: evil.issuer }, { aud: 'someone-else' }]) {
      const { browser, callback, state } = await toCallback('good');
      good.knobs.idToken = idToken;
      const end = await finish(browser, callback);
      assert.equal(end.stoppedAt, undefined, JSON.stringify(idToken));
      assert.equal(end.response.status, 502);
      const back = await returnLink(end);
      assert.equal(back.searchParams.get('error'), 'server_error');
      assert.equal(back.searchParams.get('state'), state);
      assert.equal(back.searchParams.get('code'), null);
    }
  });

  it('refuses a mix-up: an iss of another provider, or a response at another provider’s callback', async () => {
    const first = await toCallback('good');
    const mixed = new URL(first.callback);
    mixed.searchParams.set('iss', evil.issuer);
    const end = await finish(first.browser, mixed);
    assert.equal(end.response.status, 502);
    assert.equal((await returnLink(end)).searchParams.get('error'), 'server_error');
    assert.equal(good.log.token.filter((t) => t['code'] === first.callback.searchParams.get('code')).length, 0, 'the code was never redeemed');

    const second = await toCallback('good');
    const elsewhere = new URL(second.callback);
    elsewhere.pathname = '/federation/evil/callback';
    const wrong = await finish(second.browser, elsewhere);
    assert.equal(wrong.response.status, 502);
    assert.equal(wrong.stoppedAt, undefined);
  });

  it('turns an outage of the token endpoint into a page and temporarily_unavailable', async () => {
    const { browser, callback, state } = await toCallback('good');
    good.knobs.tokenEndpointStatus = 503;
    const end = await finish(browser, callback);
    assert.equal(end.response.status, 503);
    const back = await returnLink(end);
    assert.equal(back.searchParams.get('error'), 'temporarily_unavailable');
    assert.equal(back.searchParams.get('state'), state);
  });

  it('sends access_denied straight back when the provider refuses', async () => {
    good.knobs.deny = true;
    const browser = new CrossOriginBrowser();
    const state = 'denied-state';
    const login = await browser.navigate(authorizationUrl(as, authorizationParams(clientId, { state })), {}, atClient);
    const loginHtml = await login.response.text();
    const consent = await browser.submitForm({ html: loginHtml, url: login.url }, { provider: 'good' }, { stopAt: atClient });
    const end = await browser.submitForm({ html: await consent.response.text(), url: consent.url }, { decision: 'approve' }, { stopAt: atClient });
    assert.equal(end.stoppedAt?.searchParams.get('error'), 'access_denied');
    assert.equal(end.stoppedAt?.searchParams.get('state'), state);
    assert.equal(end.stoppedAt?.searchParams.get('iss'), stack.issuer);
  });
});
