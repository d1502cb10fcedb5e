import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopbackTimeoutError, startLoopbackRedirect } from '../../src/client/loopback-redirect.js';

describe('loopback redirect receiver (RFC 8252 §7.3)', () => {
  it('listens on 127.0.0.1 with a random port and receives one authorization response', async () => {
    const first = await startLoopbackRedirect();
    const second = await startLoopbackRedirect();
    try {
      assert.match(first.redirectUrl, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      assert.notEqual(first.redirectUrl, second.redirectUrl);
      const waiting = first.waitForCallback({ timeoutMs: 5000 });
      const browser = fetch(`${first.redirectUrl}?code=the-secret-code&state=s1&iss=${encodeURIComponent('http://127.0.0.1:1')}`);
      const callback = await waiting;
      assert.equal(callback.params.get('code'), 'the-secret-code');
      assert.equal(callback.params.get('state'), 's1');
      assert.equal(callback.params.get('iss'), 'http://127.0.0.1:1');
      callback.respond({ ok: true });
      const page = await browser;
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const html = await page.text();
      assert.match(html, /signed in/i);
      assert.doesNotMatch(html, /the-secret-code|s1/, 'neither the code nor the state is shown');
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('shows an OAuth error HTML-escaped, never as markup', async () => {
    const receiver = await startLoopbackRedirect();
    try {
      const waiting = receiver.waitForCallback({ timeoutMs: 5000 });
      const description = '<script>alert(1)</script> & "quotes"';
      const browser = fetch(`${receiver.redirectUrl}?error=access_denied&error_description=${encodeURIComponent(description)}`);
      const callback = await waiting;
      callback.respond({ ok: false, error: callback.params.get('error')!, description: callback.params.get('error_description')! });
      const page = await browser;
      assert.equal(page.status, 400);
      const html = await page.text();
      assert.match(html, /access_denied/);
      assert.doesNotMatch(html, /<script>/);
      assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
    } finally {
      await receiver.close();
    }
  });

  it('answers 404 on other paths, 405 on other methods, and ignores a response for another state', async () => {
    const receiver = await startLoopbackRedirect();
    try {
      const origin = new URL(receiver.redirectUrl).origin;
      receiver.expectState('the-real-state');
      const waiting = receiver.waitForCallback({ timeoutMs: 5000 });
      assert.equal((await fetch(`${origin}/`)).status, 404);
      assert.equal((await fetch(`${origin}/favicon.ico`)).status, 404);
      assert.equal((await fetch(`${origin}/callback/extra?code=x&state=the-real-state`)).status, 404);
      assert.equal((await fetch(receiver.redirectUrl, { method: 'POST', body: 'code=x&state=the-real-state' })).status, 405);
      const forged = await fetch(`${receiver.redirectUrl}?code=attacker-code&state=forged`);
      assert.equal(forged.status, 400);
      assert.doesNotMatch(await forged.text(), /attacker-code/);
      const browser = fetch(`${receiver.redirectUrl}?code=good&state=the-real-state`);
      const callback = await waiting;
      assert.equal(callback.params.get('code'), 'good');
      callback.respond({ ok: true });
      assert.equal((await browser).status, 200);
      assert.equal((await fetch(`${receiver.redirectUrl}?code=again&state=the-real-state`)).status, 404, 'only one response is accepted');
    } finally {
      await receiver.close();
    }
  });

  it('times out with a typed error, and stops listening when closed', async () => {
    const receiver = await startLoopbackRedirect();
    await assert.rejects(receiver.waitForCallback({ timeoutMs: 50 }), LoopbackTimeoutError);
    await receiver.close();
    await assert.rejects(fetch(receiver.redirectUrl), /fetch failed/);
  });

  it('stops waiting when cancelled, also when cancelled before the wait began', async () => {
    const receiver = await startLoopbackRedirect();
    try {
      const early = new AbortController();
      early.abort(new Error('cancelled early'));
      await assert.rejects(receiver.waitForCallback({ timeoutMs: 5000, signal: early.signal }), /cancelled early/);
      const later = new AbortController();
      const waiting = receiver.waitForCallback({ timeoutMs: 5000, signal: later.signal });
      later.abort(new Error('cancelled later'));
      await assert.rejects(waiting, /cancelled later/);
    } finally {
      await receiver.close();
    }
  });

  it('answers a response still held open when closed, so the browser is not left waiting', async () => {
    const receiver = await startLoopbackRedirect();
    const waiting = receiver.waitForCallback({ timeoutMs: 5000 });
    const browser = fetch(`${receiver.redirectUrl}?code=c&state=s`);
    await waiting;
    await receiver.close();
    const page = await browser;
    assert.equal(page.status, 400);
    assert.match(await page.text(), /Return to the terminal/);
  });
});
