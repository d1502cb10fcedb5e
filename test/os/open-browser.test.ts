import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBrowserUrl, browserCommand, openBrowser, UnsafeBrowserUrlError } from '../../src/os/open-browser.js';
import { eventually, recordingBrowser } from '../support/cli-process.js';

describe('openBrowser', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'portcullis-browser-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses javascript:, file:, data: and other non-http(s) URLs before starting anything', async () => {
    const browser = recordingBrowser(dir, 'hostile');
    const hostile = [
      'javascript:alert(document.cookie)',
      'JavaScript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'ms-msdt:/id PCWDiagnostic',
      'ftp://example.com/x',
      '//example.com/authorize',
      '/authorize?x=1',
      'not a url',
      'https://user:pass@auth.example.com/authorize',
      '',
    ];
    for (const url of hostile) {
      await assert.rejects(openBrowser(url, { env: { PORTCULLIS_BROWSER: browser.command } }), UnsafeBrowserUrlError, url);
      assert.throws(() => assertBrowserUrl(url), UnsafeBrowserUrlError, url);
    }
    // Give a wrongly started opener time to write, then check nothing ran.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(browser.calls(), []);
  });

  it('hands a URL full of shell metacharacters to the browser as one argument, unchanged', async () => {
    const browser = recordingBrowser(dir, 'metachars');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${HOME} is for a shell to expand, which is what the test is about
    const url = 'https://auth.example.com/authorize?state=$(touch%20pwned)&x=;id;&y=`id`&z=a|b&w=${HOME}&q=\'"';
    const expected = new URL(url).href;
    const result = await openBrowser(url, { env: { PORTCULLIS_BROWSER: browser.command } });
    assert.equal(result.opened, true);
    const calls = await eventually(browser.calls, (c) => c.length > 0);
    assert.deepEqual(calls, [[expected]]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: as above
    assert.ok(expected.includes('$(touch%20pwned)') && expected.includes(';id;') && expected.includes('`id`') && expected.includes('${HOME}'));
  });

  it('takes arguments and a %s placeholder in PORTCULLIS_BROWSER, and falls back to BROWSER', async () => {
    const browser = recordingBrowser(dir, 'args');
    await openBrowser('http://127.0.0.1:1/a', { env: { PORTCULLIS_BROWSER: `${browser.command} --new-window %s --flag` } });
    await openBrowser('http://127.0.0.1:1/b', { env: { BROWSER: browser.command } });
    const calls = await eventually(browser.calls, (c) => c.length >= 2);
    assert.deepEqual(
      calls.sort((a, b) => a.length - b.length),
      [['http://127.0.0.1:1/b'], ['--new-window', 'http://127.0.0.1:1/a', '--flag']],
    );
  });

  it('uses the platform opener without a shell when no override is set', () => {
    const url = 'https://auth.example.com/authorize?a=1&b=2';
    assert.deepEqual(browserCommand(url, { env: {}, platform: 'linux' }), { command: 'xdg-open', args: [url] });
    assert.deepEqual(browserCommand(url, { env: {}, platform: 'darwin' }), { command: 'open', args: [url] });
    assert.deepEqual(browserCommand(url, { env: {}, platform: 'win32' }), { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] });
  });

  it('with --no-browser starts nothing, and reports an opener that cannot start instead of throwing', async () => {
    const browser = recordingBrowser(dir, 'none');
    assert.deepEqual(await openBrowser('https://auth.example.com/', { noBrowser: true, env: { PORTCULLIS_BROWSER: browser.command } }), {
      opened: false,
      reason: 'no-browser',
    });
    const missing = await openBrowser('https://auth.example.com/', { env: { PORTCULLIS_BROWSER: join(dir, 'no-such-browser') } });
    assert.equal(missing.opened, false);
    assert.equal(missing.opened === false && missing.reason, 'failed');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(browser.calls(), []);
  });
});
