/**
 * What the tests of the page modules (login, consent, error, layout, style) share: a plain login
 * and consent page, every page as rendered, and the hostile values each page must escape in every
 * field an attacker controls.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { escapeHtml } from '../../../../src/core/html.js';
import { type ConsentPageOptions, renderConsentPage } from '../../../../src/server/browser/pages/consent-page.js';
import { renderErrorPage } from '../../../../src/server/browser/pages/error-page.js';
import { type LoginPageOptions, renderLoginPage } from '../../../../src/server/browser/pages/login-page.js';
import { readTags, skeleton, withoutStyle } from '../../../support/html-tags.js';

export const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  `' onmouseover='alert(1)`,
  '" autofocus onfocus="alert(1)',
  '</style><script>alert(1)</script>',
  '&lt;already&gt; &amp; escaped',
];

export const baseLogin: LoginPageOptions = {
  action: '/authorize/login',
  hiddenFields: { csrf_token: 'csrf-123', request: 'req-456' },
  clientName: 'Example App',
  clientId: 'client-1',
  redirectHost: 'app.example.com',
};

export const baseConsent: ConsentPageOptions = {
  action: '/authorize/consent',
  hiddenFields: { csrf_token: 'csrf-123', request: 'req-456' },
  clientName: 'Example App',
  clientId: 'client-1',
  redirectHost: 'app.example.com',
  resource: 'https://mcp.example.com/mcp',
  scopes: [{ name: 'mcp:tools', description: 'Call tools' }],
  username: 'alice',
  isDynamicallyRegistered: false,
};

export const allPages = (): [string, string][] => [
  ['login', renderLoginPage(baseLogin)],
  ['login with error', renderLoginPage({ ...baseLogin, username: 'alice', error: 'Wrong username or password.' })],
  ['consent', renderConsentPage(baseConsent)],
  ['consent, dynamic', renderConsentPage({ ...baseConsent, isDynamicallyRegistered: true, clientUri: 'https://a.example' })],
  ['error', renderErrorPage({ title: 'Unknown application', message: 'Not registered.', code: 'invalid_client' })],
];

/** One test per hostile value: `render` fills every attacker-controlled field of `page` with it. */
export function itEscapesEveryHostileValue(page: string, render: (value: string) => string): void {
  for (const payload of HOSTILE) {
    it(`${page} page: ${payload}`, () => {
      const hostile = render(payload);
      // Same tags with the same attributes as a harmless value: nothing was injected.
      assert.deepEqual(skeleton(hostile), skeleton(render('harmless value')));
      assert.ok(!withoutStyle(hostile).includes(payload), 'the raw payload never appears');
      assert.ok(hostile.includes(escapeHtml(payload)), 'the payload appears escaped');
      assert.ok(!/<script/i.test(hostile));
      assert.ok(!/<img/i.test(hostile));
      for (const tag of readTags(hostile)) {
        for (const name of tag.attributes.keys()) assert.ok(!/^on/i.test(name), `no event handler attribute ${name}`);
      }
    });
  }
}
