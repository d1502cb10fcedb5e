import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { escapeHtml } from '../../src/core/html.js';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import { DEFAULT_REDIRECT_URI, discover, registerPublicClient } from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/** A name an operator might write, with every character HTML gives meaning to. */
const RESOURCE_NAME = 'Notes <b>"&</b> server';
const login = { username: 'fern', password: 'fern password 123' };

/** The `<li>` elements of the scope list, each as its opening tag and its text. */
function scopeItems(html: string): { tag: string; text: string }[] {
  const list = /<ul class="scopes"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/(<li[^>]*>)([\s\S]*?)<\/li>/g)].map((m) => ({ tag: m[1]!, text: m[2]!.replace(/<[^>]*>/g, '') }));
}

/**
 * The consent page the gateway's users see, over HTTP through the real login and consent
 * endpoints: the protected server's name, escaped, and on a step-up the new scope marked.
 */
describe('consent page for the gateway’s resource', () => {
  let stack: TestGateway;
  before(async () => {
    stack = await startTestGateway({ gateway: { resourceName: RESOURCE_NAME } });
    await stack.addUser(login.username, login.password);
  });
  after(() => stack.close());

  /** Opens /authorize, signs in if asked, and returns the consent page's HTML. */
  async function consentPage(browser: FormBrowser, url: string): Promise<string> {
    let step = await browser.navigate(url);
    let html = await step.response.text();
    if (/name="password"/.test(html)) {
      step = await browser.submitForm({ html, url: step.url }, login);
      html = await step.response.text();
    }
    assert.match(html, /name="decision"/, `a consent page at ${step.url}`);
    return html;
  }

  it('names the server, escaped, and marks the scope a step-up adds', async () => {
    const as = await discover(stack.issuer);
    const clientId = await registerPublicClient(as);
    const browser = new FormBrowser(stack.issuer);
    const url = (scope: string) =>
      `${as.authorization_endpoint}?${new URLSearchParams({ client_id: clientId, redirect_uri: DEFAULT_REDIRECT_URI, response_type: 'code', code_challenge: computeS256Challenge(randomSecret(32)), code_challenge_method: 'S256', state: 's', resource: stack.mcpUrl, scope })}`;

    const first = await consentPage(browser, url('notes:read'));
    assert.ok(first.includes(`<strong class="resource-name"><bdi>${escapeHtml(RESOURCE_NAME)}</bdi></strong>`), 'the name, escaped');
    assert.ok(!first.includes(RESOURCE_NAME), 'never raw');
    assert.deepEqual(scopeItems(first), [{ tag: '<li>', text: 'notes:readRead and add your notes' }], 'nothing is new on a first consent');
    const approved = await browser.submitForm({ html: first, url: url('notes:read') }, { decision: 'approve' });
    assert.ok(approved.leftTo !== undefined && new URL(approved.leftTo).searchParams.has('code'));

    const stepUp = await consentPage(browser, url('notes:read notes:write'));
    assert.deepEqual(scopeItems(stepUp), [
      { tag: '<li>', text: 'notes:readRead and add your notes' },
      { tag: '<li class="scope-new">', text: 'notes:write NewDelete your notes' },
    ]);
    assert.match(stepUp, /<strong class="scope-new-label">New<\/strong>/);
  });
});

/**
 * The consent page the gateway's users see, in headless Chromium: it names the protected server
 * (`gateway.resourceName`) as text, and on a step-up it marks the scope the user has not approved
 * for this client before.
 */
describe('consent page for the gateway’s resource, in Chromium', { skip: chromiumSkipReason() }, () => {
  let stack: TestGateway;
  let browser: Browser;
  let callback: Server;
  let callbackUrl: string;

  before(async () => {
    stack = await startTestGateway({ gateway: { resourceName: RESOURCE_NAME } });
    await stack.addUser(login.username, login.password);
    callback = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>done</title>'));
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    callback?.close();
    await stack?.close();
  });

  function authorizationUrl(clientId: string, scope: string): string {
    const url = new URL(`${stack.issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: callbackUrl,
      response_type: 'code',
      code_challenge: computeS256Challenge(randomSecret(32)),
      code_challenge_method: 'S256',
      state: randomSecret(8),
      resource: stack.mcpUrl,
      scope,
    }).toString();
    return url.href;
  }

  it('shows the server’s name as text, and on step-up marks only the new scope', async () => {
    const registered = await fetch(`${stack.issuer}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [callbackUrl],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        client_name: 'Step-up App',
      }),
    });
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const page = await (await browser.newContext()).newPage();

    // First sign-in, notes:read: the name is shown, and nothing is marked new.
    await page.goto(authorizationUrl(clientId, 'notes:read'));
    await page.fill('input[name="username"]', login.username);
    await page.fill('input[name="password"]', login.password);
    await Promise.all([page.waitForURL(/\/consent/), page.click('button[type="submit"]')]);
    assert.equal(await page.locator('.details .resource-name').textContent(), RESOURCE_NAME, 'the name, as text');
    assert.equal(await page.locator('.details b').count(), 0, 'no markup from the name');
    assert.deepEqual(await page.locator('ul.scopes li code').allTextContents(), ['notes:read']);
    assert.equal(await page.locator('li.scope-new').count(), 0, 'nothing is new on a first consent');
    await Promise.all([page.waitForURL(/\/callback/), page.click('button[name="decision"][value="approve"]')]);

    // Step-up, same user and client: notes:write is new, notes:read is not.
    await page.goto(authorizationUrl(clientId, 'notes:read notes:write'));
    await page.waitForURL(/\/consent/);
    assert.deepEqual(await page.locator('ul.scopes li code').allTextContents(), ['notes:read', 'notes:write']);
    assert.deepEqual(await page.locator('li.scope-new code').allTextContents(), ['notes:write']);
    assert.equal(await page.locator('li.scope-new .scope-new-label').textContent(), 'New');
    assert.equal(await page.locator('.details .resource-name').textContent(), RESOURCE_NAME);
    await Promise.all([page.waitForURL(/\/callback/), page.click('button[name="decision"][value="approve"]')]);
    assert.ok(new URL(page.url()).searchParams.get('code'), 'the step-up was granted');
    await page.context().close();
  });
});
