import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import { type AuthorizationServer, createAuthorizationServer } from '../../src/server/app.js';
import { hashPassword } from '../../src/server/browser/password-hash.js';
import type { Store } from '../../src/store/types.js';
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
  redeemCode,
  refreshTokens,
  registerPublicClient,
  type ServerMetadata,
} from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { TestClock } from '../support/clock.js';
import { parseForm } from '../support/html-form.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';

/**
 * The login and consent pages from the attacker's side (docs/design.md invariant 8, MCP security best
 * practices on consent and the confused deputy): framing, caching and cookie attributes, CSRF,
 * password guessing, session fixation, remembered consent per client, single-use and expiring
 * pending requests. Everything runs over real HTTP except the https cookie checks, which call
 * the app in-process with https URLs.
 */

const ALICE = { username: 'alice', password: 'correct horse battery staple' };
const SETTINGS = { scopes: { read: 'Read things', write: 'Change things' }, defaultScopes: ['read'], login: { maxFailuresPerUser: 3 } };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

interface Page {
  response: Response;
  html: string;
  url: string;
}

/** Opens an authorization URL in the browser and returns the page it lands on (login or consent). */
async function openPage(browser: FormBrowser, url: string): Promise<Page> {
  const step = await browser.navigate(url);
  assert.equal(step.leftTo, undefined, `expected a page, was sent to ${step.leftTo}`);
  return { response: step.response, html: await step.response.text(), url: step.url };
}

/** POSTs a form as the browser would, with the given fields (no hidden fields added). */
function post(browser: FormBrowser, url: string, fields: Record<string, string>): Promise<Response> {
  return browser.request(url, { method: 'POST', headers: FORM, body: new URLSearchParams(fields).toString() });
}

function setCookies(response: Response): string[] {
  return response.headers.getSetCookie();
}

function sessionCookieSet(response: Response): boolean {
  return setCookies(response).some((line) => /portcullis-session=/.test(line));
}

function assertProtectedPage(response: Response): void {
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
}

function assertErrorPage(response: Response, status: number): void {
  assert.equal(response.headers.get('location'), null, 'no redirect');
  assert.equal(response.status, status);
  assertProtectedPage(response);
}

function codeFromRedirect(response: Response): URL | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  const url = new URL(location, 'http://placeholder.invalid');
  return url.searchParams.has('code') ? url : undefined;
}

describe('login and consent pages over HTTP', () => {
  let server: TestServer;
  let as: ServerMetadata;
  let clientId: string;
  let aliceId: string;

  before(async () => {
    server = await startTestServer({ settings: SETTINGS });
    aliceId = await server.addUser(ALICE.username, ALICE.password);
    await server.addUser('mallory', 'mallory password 1234');
    await server.addUser('carol', 'carol password 1234');
    as = await discover(server.url);
    clientId = await registerPublicClient(as, { client_name: 'Pages Test' });
  });
  after(() => server.close());

  const freshUrl = (client = clientId, overrides: Record<string, string | undefined> = {}) =>
    authorizationUrl(as, authorizationParams(client, { code_challenge: computeS256Challenge(randomSecret(32)), ...overrides }));

  /** Signs the browser in through the login page and returns the consent page. */
  async function signIn(browser: FormBrowser, url = freshUrl(), login = ALICE): Promise<Page> {
    const loginPage = await openPage(browser, url);
    assert.match(loginPage.html, /name="password"/);
    const step = await browser.submitForm(loginPage, login);
    assert.equal(step.response.status, 200);
    const html = await step.response.text();
    assert.match(html, /name="decision"/, 'the consent page follows the login');
    return { response: step.response, html, url: step.url };
  }

  it('sends the login page with frame-ancestors none, DENY, no-store and HttpOnly SameSite=Lax cookies', async () => {
    const browser = new FormBrowser(server.url);
    const page = await openPage(browser, freshUrl());
    assert.equal(page.response.status, 200);
    assertProtectedPage(page.response);
    const cookies = setCookies(page.response);
    assert.ok(cookies.length > 0, 'the login page sets the CSRF cookie');
    for (const line of cookies) {
      assert.match(line, /;\s*HttpOnly/i);
      assert.match(line, /;\s*SameSite=Lax/i);
      assert.match(line, /;\s*Path=\//i);
      assert.doesNotMatch(line, /;\s*Domain=/i);
    }
  });

  it('sends the consent page and the session cookie with the same protections', async () => {
    const browser = new FormBrowser(server.url);
    const loginPage = await openPage(browser, freshUrl());
    const form = parseForm(loginPage.html);
    const response = await post(browser, new URL(form.action, loginPage.url).href, { ...form.hidden, ...ALICE });
    assert.equal(response.status, 303);
    const session = setCookies(response).find((line) => /portcullis-session=/.test(line));
    assert.ok(session, 'a session cookie after login');
    assert.match(session, /;\s*HttpOnly/i);
    assert.match(session, /;\s*SameSite=Lax/i);
    assert.doesNotMatch(session, /;\s*Domain=/i);

    const consent = await openPage(browser, new URL(response.headers.get('location')!, loginPage.url).href);
    assert.match(consent.html, /name="decision"/);
    assertProtectedPage(consent.response);
  });

  it('refuses POST /login without a csrf_token or with a wrong one: 403 and no session', async () => {
    const browser = new FormBrowser(server.url);
    const page = await openPage(browser, freshUrl());
    const form = parseForm(page.html);
    const action = new URL(form.action, page.url).href;
    const { csrf_token: token, ...withoutToken } = form.hidden;
    assert.ok(token, 'the login form carries a csrf_token');

    for (const fields of [
      { ...withoutToken, ...ALICE },
      { ...withoutToken, csrf_token: '', ...ALICE },
      { ...withoutToken, csrf_token: randomSecret(32), ...ALICE },
      { ...withoutToken, csrf_token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, ...ALICE },
    ]) {
      const response = await post(browser, action, fields);
      assertErrorPage(response, 403);
      assert.equal(sessionCookieSet(response), false, 'no session cookie');
      await response.text();
    }
    // Still signed out: the request goes back to the login page.
    const again = await openPage(browser, page.url);
    assert.match(again.html, /name="password"/);
  });

  it('refuses a valid csrf_token sent without its cookie (a cross-site form post)', async () => {
    const victim = new FormBrowser(server.url);
    const page = await openPage(victim, freshUrl());
    const form = parseForm(page.html);
    const attacker = new FormBrowser(server.url);
    const response = await post(attacker, new URL(form.action, page.url).href, { ...form.hidden, ...ALICE });
    assertErrorPage(response, 403);
    assert.equal(sessionCookieSet(response), false);
  });

  it('refuses a csrf_token from one pending request for another', async () => {
    const browser = new FormBrowser(server.url);
    const first = await openPage(browser, freshUrl());
    const second = await openPage(browser, freshUrl());
    const a = parseForm(first.html);
    const b = parseForm(second.html);
    assert.notEqual(a.hidden['request'], b.hidden['request']);
    const response = await post(browser, new URL(b.action, second.url).href, { ...b.hidden, csrf_token: a.hidden['csrf_token']!, ...ALICE });
    assertErrorPage(response, 403);
    assert.equal(sessionCookieSet(response), false);
  });

  it('refuses POST /consent without or with a wrong csrf_token: 403, no code, no consent stored', async () => {
    const browser = new FormBrowser(server.url);
    const client = await registerPublicClient(as);
    const consent = await signIn(browser, freshUrl(client));
    const form = parseForm(consent.html);
    const action = new URL(form.action, consent.url).href;
    const { csrf_token: _token, ...withoutToken } = form.hidden;
    for (const fields of [
      { ...withoutToken, decision: 'approve' },
      { ...withoutToken, csrf_token: randomSecret(32), decision: 'approve' },
    ]) {
      const response = await post(browser, action, fields);
      assertErrorPage(response, 403);
      await response.text();
    }
    assert.equal(await server.store.consents.find(aliceId, client), undefined, 'no consent stored');
    // The pending request is untouched: the real form still works.
    const approved = await browser.submitForm(consent, { decision: 'approve' });
    assert.ok(approved.leftTo && new URL(approved.leftTo).searchParams.get('code'), `expected a code, got ${approved.response.status} ${approved.leftTo}`);
  });

  it('refuses a consent csrf_token of another pending request', async () => {
    const browser = new FormBrowser(server.url);
    const client = await registerPublicClient(as);
    const first = await signIn(browser, freshUrl(client));
    const second = await openPage(browser, freshUrl(client));
    const a = parseForm(first.html);
    const b = parseForm(second.html);
    const response = await post(browser, new URL(b.action, second.url).href, { ...b.hidden, csrf_token: a.hidden['csrf_token']!, decision: 'approve' });
    assertErrorPage(response, 403);
    assert.equal(codeFromRedirect(response), undefined);
  });

  it('answers a wrong password with a 401 page and no session', async () => {
    const browser = new FormBrowser(server.url);
    const page = await openPage(browser, freshUrl());
    const form = parseForm(page.html);
    const response = await post(browser, new URL(form.action, page.url).href, { ...form.hidden, username: 'carol', password: 'wrong password' });
    assert.equal(response.status, 401);
    assertProtectedPage(response);
    assert.equal(sessionCookieSet(response), false);
    assert.match(await response.text(), /name="password"/);
  });

  it('refuses the right password with 429 after the configured number of failures', async () => {
    const browser = new FormBrowser(server.url);
    const page = await openPage(browser, freshUrl());
    const form = parseForm(page.html);
    const action = new URL(form.action, page.url).href;
    for (let i = 0; i < 3; i++) {
      const failed = await post(browser, action, { ...form.hidden, username: 'mallory', password: `guess ${i}` });
      assert.equal(failed.status, 401);
      await failed.text();
    }
    const limited = await post(browser, action, { ...form.hidden, username: 'mallory', password: 'mallory password 1234' });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0, 'a Retry-After header');
    assert.equal(sessionCookieSet(limited), false);
    assertProtectedPage(limited);
    // The limit is per user name: another user on the same address still signs in.
    const other = await post(browser, action, { ...form.hidden, ...ALICE });
    assert.equal(other.status, 303);
  });

  it('issues a new session id on login, whatever session cookie was presented (no fixation)', async () => {
    const browser = new FormBrowser(server.url);
    browser.cookies.set('portcullis-session', 'attacker-chosen-session-id');
    await signIn(browser);
    const first = browser.cookies.get('portcullis-session');
    assert.ok(first, 'a session cookie after the first login');
    assert.notEqual(first, 'attacker-chosen-session-id');

    // Signing in again over an existing valid session replaces it and kills the old one.
    const consent = await openPage(browser, freshUrl(await registerPublicClient(as)));
    const form = parseForm(consent.html);
    const response = await post(browser, `${server.url}${new URL(as.authorization_endpoint).pathname.replace(/authorize$/, 'login')}`, {
      request: form.hidden['request']!,
      csrf_token: form.hidden['csrf_token']!,
      ...ALICE,
    });
    assert.equal(response.status, 303);
    const second = browser.cookies.get('portcullis-session');
    assert.ok(second, 'a session cookie after the second login');
    assert.notEqual(second, first);

    const stale = new FormBrowser(server.url);
    stale.cookies.set('portcullis-session', first);
    const page = await openPage(stale, freshUrl());
    assert.match(page.html, /name="password"/, 'the replaced session no longer signs anyone in');
  });

  it('returns access_denied with state and iss when the user denies', async () => {
    const state = 'deny state & = ü';
    const callback = await new FormBrowser(server.url).authorize(freshUrl(clientId, { state }), ALICE, 'deny');
    assert.equal(`${callback.origin}${callback.pathname}`, DEFAULT_REDIRECT_URI);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('iss'), server.url);
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('remembers consent per client and scope: a subset goes straight back, another client sees the page', async () => {
    const browser = new FormBrowser(server.url);
    const trusted = await registerPublicClient(as, { client_name: 'Trusted App' });
    await obtainCode(as, trusted, ALICE, { browser, scope: 'read write' });

    // Same client, a subset of the approved scopes: a code without any page.
    const direct = await browser.request(freshUrl(trusted, { scope: 'read' }));
    assert.equal(direct.status, 302);
    const callback = codeFromRedirect(direct);
    assert.ok(callback, 'a code straight from /authorize');
    assert.equal(callback.searchParams.get('iss'), server.url);

    // Another registration, even one with the same name and redirect URI, must ask (confused deputy).
    const impostor = await registerPublicClient(as, { client_name: 'Trusted App' });
    const page = await openPage(browser, freshUrl(impostor, { scope: 'read' }));
    assert.match(page.html, /name="decision"/);
    assert.equal(page.response.status, 200);

    // The same client asking for more than it was given must ask too.
    const narrow = await registerPublicClient(as);
    await obtainCode(as, narrow, ALICE, { browser, scope: 'read' });
    const broader = await openPage(browser, freshUrl(narrow, { scope: 'read write' }));
    assert.match(broader.html, /name="decision"/);
  });

  it('brings the consent page back and revokes the tokens when the consent is revoked', async () => {
    const browser = new FormBrowser(server.url);
    const client = await registerPublicClient(as);
    const rs = await addStaticClient(server.store);
    const { code, verifier } = await obtainCode(as, client, ALICE, { browser });
    const tokens = assertTokens(await redeemCode(as, { clientId: client, code, verifier }));
    assert.equal(await isActive(as, rs, tokens.access_token), true);
    assert.ok(codeFromRedirect(await browser.request(freshUrl(client))), 'consent is remembered before revocation');

    assert.equal(await server.store.consents.revoke(aliceId, client, Math.floor(Date.now() / 1000)), true);

    const page = await openPage(browser, freshUrl(client));
    assert.match(page.html, /name="decision"/, 'the consent page is back');
    assert.equal(await isActive(as, rs, tokens.access_token), false);
    assert.equal(await isActive(as, rs, tokens.refresh_token), false);
    assertOAuthError(await refreshTokens(as, { clientId: client, refreshToken: tokens.refresh_token }), 'invalid_grant');
  });

  it('uses a pending request once: a replayed consent POST gets an error page and no second code', async () => {
    const browser = new FormBrowser(server.url);
    const client = await registerPublicClient(as);
    const consent = await signIn(browser, freshUrl(client));
    const form = parseForm(consent.html);
    const action = new URL(form.action, consent.url).href;
    const first = await post(browser, action, { ...form.hidden, decision: 'deny' });
    assert.equal(first.status, 303);
    assert.equal(new URL(first.headers.get('location')!).searchParams.get('error'), 'access_denied');

    for (const decision of ['deny', 'approve']) {
      const replay = await post(browser, action, { ...form.hidden, decision });
      assertErrorPage(replay, 400);
      assert.equal(codeFromRedirect(replay), undefined);
    }
    assert.equal(await server.store.consents.find(aliceId, client), undefined);
  });

  it('refuses a second approval of the same pending request', async () => {
    const browser = new FormBrowser(server.url);
    const client = await registerPublicClient(as);
    const consent = await signIn(browser, freshUrl(client));
    const form = parseForm(consent.html);
    const action = new URL(form.action, consent.url).href;
    const first = await post(browser, action, { ...form.hidden, decision: 'approve' });
    assert.ok(codeFromRedirect(first), 'the first approval gets a code');
    const replay = await post(browser, action, { ...form.hidden, decision: 'approve' });
    assertErrorPage(replay, 400);
    assert.equal(codeFromRedirect(replay), undefined);
  });

  it('refuses a request handle that was never issued', async () => {
    const browser = new FormBrowser(server.url);
    await signIn(browser);
    const response = await browser.request(`${server.url}/consent?request=${randomSecret(24)}`);
    assertErrorPage(response, 400);
  });
});

describe('pending requests expire (a TestClock)', () => {
  let server: TestServer;
  let clock: TestClock;
  let as: ServerMetadata;

  before(async () => {
    clock = new TestClock();
    server = await startTestServer({ clock });
    await server.addUser(ALICE.username, ALICE.password);
    as = await discover(server.url);
  });
  after(() => server.close());

  /** A request from a client of its own, so no test inherits another's remembered consent. */
  const freshUrl = async () =>
    authorizationUrl(as, authorizationParams(await registerPublicClient(as), { code_challenge: computeS256Challenge(randomSecret(32)) }));

  it('shows an error page for a login submitted 601 s after the request', async () => {
    const browser = new FormBrowser(server.url);
    const page = await openPage(browser, await freshUrl());
    clock.advance(601);
    const form = parseForm(page.html);
    const response = await post(browser, new URL(form.action, page.url).href, { ...form.hidden, ...ALICE });
    assertErrorPage(response, 400);
    assert.equal(sessionCookieSet(response), false);
    assertErrorPage(await browser.request(page.url), 400);
  });

  it('shows an error page for a consent given 601 s after the request, and issues no code', async () => {
    const browser = new FormBrowser(server.url);
    const login = await openPage(browser, await freshUrl());
    const step = await browser.submitForm(login, ALICE);
    const consent = { html: await step.response.text(), url: step.url };
    assert.match(consent.html, /name="decision"/);
    clock.advance(601);
    const form = parseForm(consent.html);
    const response = await post(browser, new URL(form.action, consent.url).href, { ...form.hidden, decision: 'approve' });
    assertErrorPage(response, 400);
    assert.equal(codeFromRedirect(response), undefined);
  });

  it('still accepts a consent given 599 s after the request (the control)', async () => {
    const browser = new FormBrowser(server.url);
    const login = await openPage(browser, await freshUrl());
    const step = await browser.submitForm(login, ALICE);
    const consent = { html: await step.response.text(), url: step.url };
    clock.advance(599);
    const approved = await browser.submitForm(consent, { decision: 'approve' });
    assert.ok(approved.leftTo && new URL(approved.leftTo).searchParams.get('code'), `expected a code, got ${approved.response.status} ${approved.leftTo}`);
  });
});

describe('cookies on an https issuer (in-process)', () => {
  const ISSUER = 'https://auth.example.com';
  let database: TestDatabase;
  let store: Store;
  let server: AuthorizationServer;
  let clientId: string;

  before(async () => {
    database = await createTestDatabase('sqlite');
    store = await database.open();
    server = await createAuthorizationServer({ settings: { issuer: ISSUER }, store, secrets: [TEST_SECRET], sweepIntervalMs: false });
    await store.users.create({
      id: randomSecret(12),
      username: ALICE.username,
      passwordHash: await hashPassword(ALICE.password),
      createdAt: Math.floor(Date.now() / 1000),
    });
    const registered = await server.app.request(`${ISSUER}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://client.example.com/cb'], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(registered.status, 201);
    clientId = ((await registered.json()) as { client_id: string }).client_id;
  });
  after(async () => {
    server?.close();
    await store?.close();
    await database?.destroy();
  });

  /** Starts an authorization and returns the login page, its form and the CSRF cookie pair. */
  async function loginPage() {
    const authorize = await server.app.request(
      `${ISSUER}/authorize?${new URLSearchParams({
        client_id: clientId,
        redirect_uri: 'https://client.example.com/cb',
        response_type: 'code',
        code_challenge: computeS256Challenge(randomSecret(32)),
        code_challenge_method: 'S256',
        state: 's',
      })}`,
    );
    assert.equal(authorize.status, 303);
    const page = await server.app.request(new URL(authorize.headers.get('location')!, ISSUER).href);
    assert.equal(page.status, 200);
    assertProtectedPage(page);
    const form = parseForm(await page.text());
    const csrf = page.headers.getSetCookie().find((line) => line.startsWith('__Host-portcullis-csrf='));
    assert.ok(csrf, `a __Host- CSRF cookie, got ${JSON.stringify(page.headers.getSetCookie())}`);
    const pair = csrf.split(';')[0]!;
    return { form, csrf, pair, value: pair.slice(pair.indexOf('=') + 1) };
  }

  it('sets __Host- cookies that are Secure, HttpOnly, SameSite=Lax, Path=/ and have no Domain', async () => {
    const { form, csrf, pair } = await loginPage();
    for (const line of [csrf]) {
      assert.match(line, /;\s*Secure/i);
      assert.match(line, /;\s*HttpOnly/i);
      assert.match(line, /;\s*SameSite=Lax/i);
      assert.match(line, /;\s*Path=\/(;|$)/i);
      assert.doesNotMatch(line, /;\s*Domain=/i);
    }
    const login = await server.app.request(`${ISSUER}/login`, {
      method: 'POST',
      headers: { ...FORM, Cookie: pair },
      body: new URLSearchParams({ ...form.hidden, ...ALICE }).toString(),
    });
    assert.equal(login.status, 303);
    const session = login.headers.getSetCookie().find((line) => line.startsWith('__Host-portcullis-session='));
    assert.ok(session, `a __Host- session cookie, got ${JSON.stringify(login.headers.getSetCookie())}`);
    assert.match(session, /;\s*Secure/i);
    assert.match(session, /;\s*HttpOnly/i);
    assert.match(session, /;\s*SameSite=Lax/i);
    assert.match(session, /;\s*Path=\/(;|$)/i);
    assert.doesNotMatch(session, /;\s*Domain=/i);
    assert.equal(
      login.headers.getSetCookie().some((line) => /^portcullis-/.test(line)),
      false,
      'no unprefixed cookie on https',
    );
  });

  it('ignores a CSRF cookie without the __Host- prefix (one a sibling host could have planted)', async () => {
    const { form, value } = await loginPage();
    const login = await server.app.request(`${ISSUER}/login`, {
      method: 'POST',
      headers: { ...FORM, Cookie: `portcullis-csrf=${value}` },
      body: new URLSearchParams({ ...form.hidden, ...ALICE }).toString(),
    });
    assert.equal(login.status, 403);
    assert.equal(
      login.headers.getSetCookie().some((line) => /portcullis-session=/.test(line)),
      false,
    );
  });
});
