import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import { createLogger } from '../../src/server/logger.js';
import { FormBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Logs are structured and never hold a secret (docs/design.md invariant 7): run every flow with the
 * real logger at debug level and search what it wrote for each secret that crossed the wire.
 */
describe('logs', () => {
  const lines: string[] = [];
  let server: TestServer;
  const password = 'log-test password 12345';
  const redirectUri = 'http://127.0.0.1:40123/cb';

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    server = await startTestServer({ logger: createLogger({ level: 'debug', destination: sink }) });
    await server.addUser('carol', password);
  });
  after(() => server.close());

  it('are JSON lines holding no code, token, secret, state or password', async () => {
    const registered = (await (
      await fetch(`${server.url}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['authorization_code', 'refresh_token'],
        }),
      })
    ).json()) as { client_id: string; client_secret: string };
    const verifier = randomSecret(32);
    const state = `state-${randomSecret(8)}`;
    const url = new URL(`${server.url}/authorize`);
    url.search = new URLSearchParams({
      client_id: registered.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      code_challenge: computeS256Challenge(verifier),
      code_challenge_method: 'S256',
      state,
    }).toString();
    const browser = new FormBrowser(server.url);
    // One failed login first, so the failure path logs too.
    const first = await browser.navigate(url.href);
    await browser.submitForm({ html: await first.response.text(), url: first.url }, { username: 'carol', password: 'wrong password' });
    const callback = await browser.authorize(url.href, { username: 'carol', password });
    const code = callback.searchParams.get('code')!;
    const token = (await (
      await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
          client_id: registered.client_id,
          client_secret: registered.client_secret,
        }),
      })
    ).json()) as { access_token: string; refresh_token: string };
    // A replay, so the warning path logs too.
    await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: registered.client_id,
        client_secret: registered.client_secret,
      }),
    });

    assert.ok(lines.length > 5, 'the flow was logged');
    const events = lines.map((line) => JSON.parse(line) as { event?: string });
    for (const expected of ['client_registered', 'login_failed', 'login', 'consent_granted', 'code_issued', 'code_redeemed', 'code_replayed']) {
      assert.ok(
        events.some((e) => e.event === expected),
        `event ${expected} is logged`,
      );
    }
    const all = lines.join('\n');
    const secrets = {
      code,
      verifier,
      state,
      password,
      client_secret: registered.client_secret,
      access_token: token.access_token,
      refresh_token: token.refresh_token,
    };
    for (const [name, value] of Object.entries(secrets)) assert.ok(!all.includes(value), `the ${name} must not be logged`);
    for (const cookie of browser.cookies.values()) assert.ok(!all.includes(cookie), 'no cookie value is logged');
  });
});
