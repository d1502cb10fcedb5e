import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The login and consent pages in a real browser: headless Chromium fills the forms and clicks,
 * and must land on the client's loopback callback with a code. This catches what an HTTP-level
 * test cannot: a CSP `form-action` that blocks the redirect chain, cookies the browser refuses.
 */
describe('login and consent in headless Chromium', { skip: chromiumSkipReason() }, () => {
  let server: TestServer;
  let browser: Browser;
  let callback: Server;
  let callbackUrl: string;
  const hits: URL[] = [];

  before(async () => {
    server = await startTestServer();
    await server.addUser('alice', 'correct horse battery staple');
    callback = createServer((req, res) => {
      hits.push(new URL(req.url!, callbackUrl));
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>done</title><p>You can close this window.</p>');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    callback?.close();
    await server?.close();
  });

  async function registerClient(name: string): Promise<string> {
    const response = await fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [callbackUrl],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        client_name: name,
      }),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { client_id: string }).client_id;
  }

  function authorizationUrl(clientId: string, state: string, verifier: string): string {
    const url = new URL(`${server.url}/authorize`);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: callbackUrl,
      response_type: 'code',
      code_challenge: computeS256Challenge(verifier),
      code_challenge_method: 'S256',
      state,
      resource: `${server.url}/mcp`,
    }).toString();
    return url.href;
  }

  it('signs in, approves, and lands on the callback with a code that redeems', async () => {
    const clientId = await registerClient('Browser Test <App>');
    const verifier = randomSecret(32);
    const state = 'state with spaces & symbols';
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => message.type() === 'error' && blocked.push(message.text()));
    await page.goto(authorizationUrl(clientId, state, verifier));

    assert.equal(await page.locator('input[name="username"]').count(), 1);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/login.png', fullPage: true });
    await page.fill('input[name="username"]', 'alice');
    await page.fill('input[name="password"]', 'correct horse battery staple');
    await Promise.all([page.waitForURL(/\/consent/), page.click('button[type="submit"]')]);

    const text = await page.textContent('body');
    assert.match(text ?? '', /Browser Test <App>/, 'the client name is shown, escaped, as text');
    assert.match(text ?? '', /127\.0\.0\.1/, 'the redirect host is shown');
    await page.screenshot({ path: 'test-results/consent.png', fullPage: true });
    await Promise.all([page.waitForURL(/\/callback/), page.click('button[name="decision"][value="approve"]')]);

    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('state'), state);
    assert.equal(landed.searchParams.get('iss'), server.url);
    const code = landed.searchParams.get('code');
    assert.ok(code, 'the callback carries a code');
    assert.deepEqual(
      blocked.filter((m) => /Content Security Policy/i.test(m)),
      [],
      'nothing was blocked by the CSP',
    );

    const token = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl, code_verifier: verifier, client_id: clientId }),
    });
    assert.equal(token.status, 200);

    // The consent is remembered: the same client goes straight back with a new code.
    await page.goto(authorizationUrl(clientId, 's2', randomSecret(32)));
    await page.waitForURL(/\/callback/);
    assert.ok(new URL(page.url()).searchParams.get('code'));
    await page.close();
  });

  it('sends access_denied back when the user denies', async () => {
    const clientId = await registerClient('Denied App');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorizationUrl(clientId, 'deny-state', randomSecret(32)));
    await page.fill('input[name="username"]', 'alice');
    await page.fill('input[name="password"]', 'correct horse battery staple');
    await Promise.all([page.waitForURL(/\/consent/), page.click('button[type="submit"]')]);
    assert.match((await page.textContent('body')) ?? '', /not verified/i, 'a dynamically registered client is flagged');
    await Promise.all([page.waitForURL(/\/callback/), page.click('button[name="decision"][value="deny"]')]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('state'), 'deny-state');
    assert.equal(landed.searchParams.get('code'), null);
    await context.close();
  });

  it('cannot be framed by another page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const clientId = await registerClient('Framed App');
    const target = authorizationUrl(clientId, 'frame', randomSecret(32));
    // An attacker's page on another origin (the callback server) tries to frame the login page.
    await page.goto(callbackUrl);
    await page.setContent(`<iframe id="f" src="${target.replace(/&/g, '&amp;')}"></iframe>`);
    await page.waitForTimeout(500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framedInputs = frame
      ? await frame
          .locator('input[name="password"]')
          .count()
          .catch(() => 0)
      : 0;
    assert.equal(framedInputs, 0, 'the login form must not render inside a frame');
    await context.close();
  });
});
