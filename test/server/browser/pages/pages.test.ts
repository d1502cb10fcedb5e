import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type ConsentPageOptions,
  type ErrorPageOptions,
  escapeHtml,
  html,
  type LoginPageOptions,
  PAGE_STYLE,
  PAGE_STYLE_HASH,
  renderConsentPage,
  renderErrorPage,
  renderLayout,
  renderLoginPage,
  UNNAMED_CLIENT,
  UNVERIFIED_CLIENT_WARNING,
} from '../../../../src/server/browser/pages/index.js';

// ---------------------------------------------------------------------------------------------
// A small tag reader. Escaped values contain no `<`, `>` or `"`, so once the one <style> element is
// set aside, every tag and every attribute can be read with a regular expression.

interface Tag {
  name: string;
  attributes: Map<string, string>;
}

function withoutStyle(doc: string): string {
  return doc.replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
}

function readTags(doc: string): Tag[] {
  return [...withoutStyle(doc).matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((match) => {
    const attributes = new Map<string, string>();
    for (const attribute of (match[2] ?? '').matchAll(/([^\s="'/]+)(?:="([^"]*)")?/g)) {
      attributes.set(attribute[1]!, attribute[2] ?? '');
    }
    return { name: match[1]!.toLowerCase(), attributes };
  });
}

/** Tag names with their attribute names: what an injection would change. */
function skeleton(doc: string): string[] {
  return readTags(doc).map((tag) => `${tag.name}(${[...tag.attributes.keys()].join(' ')})`);
}

function tagsWhere(doc: string, name: string, attributes: Record<string, string> = {}): Tag[] {
  return readTags(doc).filter((tag) => tag.name === name && Object.entries(attributes).every(([key, value]) => tag.attributes.get(key) === value));
}

function unescapeAttribute(value: string): string {
  return value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function styleText(doc: string): string {
  const matches = [...doc.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(matches.length, 1, 'exactly one <style> element');
  return matches[0]![1]!;
}

// ---------------------------------------------------------------------------------------------
// Pages filled with one value in every attacker-controlled field.

function loginWith(value: string): LoginPageOptions {
  return {
    action: `/authorize/login?x=${value}`,
    hiddenFields: { csrf_token: value, request: value, [`extra${value}`]: value },
    clientName: value,
    clientId: value,
    redirectHost: value,
    username: value,
    error: value,
  };
}

function consentWith(value: string): ConsentPageOptions {
  return {
    action: `/authorize/consent?x=${value}`,
    hiddenFields: { csrf_token: value, request: value, [`extra${value}`]: value },
    clientName: value,
    clientId: value,
    clientUri: `https://client.example/${value}`,
    redirectHost: value,
    resource: value,
    resourceName: value,
    scopes: [
      { name: value, description: value, isNew: false },
      { name: value, isNew: true },
    ],
    username: value,
    isDynamicallyRegistered: true,
  };
}

function errorWith(value: string): ErrorPageOptions {
  return { title: value, message: value, code: value };
}

const renderers = {
  login: (value: string) => renderLoginPage(loginWith(value)),
  consent: (value: string) => renderConsentPage(consentWith(value)),
  error: (value: string) => renderErrorPage(errorWith(value)),
} as const;

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  `' onmouseover='alert(1)`,
  '" autofocus onfocus="alert(1)',
  '</style><script>alert(1)</script>',
  '&lt;already&gt; &amp; escaped',
];

const baseLogin: LoginPageOptions = {
  action: '/authorize/login',
  hiddenFields: { csrf_token: 'csrf-123', request: 'req-456' },
  clientName: 'Example App',
  clientId: 'client-1',
  redirectHost: 'app.example.com',
};

const baseConsent: ConsentPageOptions = {
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

const allPages = (): [string, string][] => [
  ['login', renderLoginPage(baseLogin)],
  ['login with error', renderLoginPage({ ...baseLogin, username: 'alice', error: 'Wrong username or password.' })],
  ['consent', renderConsentPage(baseConsent)],
  ['consent, dynamic', renderConsentPage({ ...baseConsent, isDynamicallyRegistered: true, clientUri: 'https://a.example' })],
  ['error', renderErrorPage({ title: 'Unknown application', message: 'Not registered.', code: 'invalid_client' })],
];

// ---------------------------------------------------------------------------------------------

describe('hostile values are escaped on every page', () => {
  for (const [page, render] of Object.entries(renderers)) {
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

  it('links a client_uri only when it is an http(s) URL', () => {
    for (const clientUri of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'not a url', ' ']) {
      const doc = renderConsentPage({ ...baseConsent, clientUri });
      assert.equal(tagsWhere(doc, 'a').length, 0, clientUri);
      assert.ok(!doc.includes('javascript:'));
    }
    const doc = renderConsentPage({ ...baseConsent, clientUri: 'https://client.example/home' });
    const [link] = tagsWhere(doc, 'a');
    assert.equal(link?.attributes.get('href'), 'https://client.example/home');
    assert.match(link?.attributes.get('rel') ?? '', /noopener/);
    assert.match(link?.attributes.get('rel') ?? '', /noreferrer/);
  });

  it('escapes the layout title', () => {
    const doc = renderLayout({ title: '</title><script>alert(1)</script>', body: html`` });
    assert.ok(!doc.includes('<script'));
    assert.ok(doc.includes('&lt;/title&gt;&lt;script&gt;'));
  });
});

describe('login page', () => {
  it('is a form with method post, inputs username and password, and the hidden fields (contract)', () => {
    const doc = renderLoginPage(baseLogin);
    const [form, ...otherForms] = tagsWhere(doc, 'form');
    assert.equal(otherForms.length, 0);
    assert.equal(form?.attributes.get('method'), 'post');
    assert.equal(form?.attributes.get('action'), '/authorize/login');

    const [username] = tagsWhere(doc, 'input', { name: 'username' });
    assert.equal(username?.attributes.get('type'), 'text');
    assert.equal(username?.attributes.get('autocomplete'), 'username');
    assert.ok(username?.attributes.has('required'));
    const [password] = tagsWhere(doc, 'input', { name: 'password' });
    assert.equal(password?.attributes.get('type'), 'password');
    assert.equal(password?.attributes.get('autocomplete'), 'current-password');

    assert.equal(tagsWhere(doc, 'input', { type: 'hidden', name: 'csrf_token', value: 'csrf-123' }).length, 1);
    assert.equal(tagsWhere(doc, 'input', { type: 'hidden', name: 'request', value: 'req-456' }).length, 1);
    assert.equal(tagsWhere(doc, 'button', { type: 'submit' }).length, 1);
  });

  it('binds a label to each input', () => {
    const doc = renderLoginPage(baseLogin);
    for (const name of ['username', 'password']) {
      const [input] = tagsWhere(doc, 'input', { name });
      const id = input?.attributes.get('id');
      assert.ok(id);
      assert.equal(tagsWhere(doc, 'label', { for: id }).length, 1, `label for ${name}`);
    }
  });

  it('keeps hidden field values byte for byte through escaping', () => {
    const request = `a"b'c<d>e&f`;
    const doc = renderLoginPage({ ...baseLogin, hiddenFields: { csrf_token: 'x', request } });
    const [input] = tagsWhere(doc, 'input', { type: 'hidden', name: 'request' });
    assert.equal(unescapeAttribute(input?.attributes.get('value') ?? ''), request);
    assert.ok(doc.includes('value="a&quot;b&#39;c&lt;d&gt;e&amp;f"'));
  });

  it('says which application is asking and where the user returns', () => {
    const doc = renderLoginPage(baseLogin);
    assert.match(doc, /Sign in <span class="subtitle">to continue to <strong><bdi>Example App<\/bdi><\/strong>/);
    assert.ok(doc.includes('client-1'));
    assert.ok(doc.includes('app.example.com'));
    assert.match(renderLoginPage({ ...baseLogin, clientName: null }), /to continue to <strong>an unnamed application/);
  });

  it('refills the username and shows the error as an alert tied to the inputs', () => {
    const doc = renderLoginPage({ ...baseLogin, username: 'alice', error: 'Wrong username or password.' });
    assert.equal(tagsWhere(doc, 'input', { name: 'username', value: 'alice' }).length, 1);
    const [alert] = tagsWhere(doc, 'div', { role: 'alert' });
    assert.equal(alert?.attributes.get('id'), 'login-error');
    assert.ok(doc.includes('Wrong username or password.'));
    assert.equal(tagsWhere(doc, 'input', { 'aria-describedby': 'login-error', 'aria-invalid': 'true' }).length, 2);
    assert.equal(tagsWhere(renderLoginPage(baseLogin), 'div', { role: 'alert' }).length, 0);
  });
});

describe('consent page', () => {
  it('has exactly the approve and deny submit buttons named decision, in a post form (contract)', () => {
    const doc = renderConsentPage(baseConsent);
    const [form, ...otherForms] = tagsWhere(doc, 'form');
    assert.equal(otherForms.length, 0);
    assert.equal(form?.attributes.get('method'), 'post');
    assert.equal(form?.attributes.get('action'), '/authorize/consent');
    const buttons = tagsWhere(doc, 'button');
    assert.deepEqual(
      buttons.map((button) => [button.attributes.get('type'), button.attributes.get('name'), button.attributes.get('value')]),
      [
        ['submit', 'decision', 'deny'],
        ['submit', 'decision', 'approve'],
      ],
    );
    assert.match(doc, /value="approve"[^>]*>Approve<\/button>/);
    assert.match(doc, /value="deny"[^>]*>Deny<\/button>/);
    assert.equal(tagsWhere(doc, 'input', { type: 'hidden', name: 'csrf_token', value: 'csrf-123' }).length, 1);
    assert.equal(tagsWhere(doc, 'input', { type: 'hidden', name: 'request', value: 'req-456' }).length, 1);
  });

  it('warns about an unverified application only when it registered itself', () => {
    assert.ok(!renderConsentPage(baseConsent).includes(UNVERIFIED_CLIENT_WARNING));
    assert.ok(!renderConsentPage(baseConsent).includes('not verified'));
    const dynamic = renderConsentPage({ ...baseConsent, isDynamicallyRegistered: true });
    assert.ok(dynamic.includes(UNVERIFIED_CLIENT_WARNING));
    assert.ok(UNVERIFIED_CLIENT_WARNING.includes('Portcullis has not verified this application. Approve only if you started this sign-in.'));
  });

  it('shows the client, its id, the redirect host, the resource, the scopes and the user', () => {
    const doc = renderConsentPage({
      ...baseConsent,
      scopes: [{ name: 'mcp:tools', description: 'Call tools' }, { name: 'offline_access' }],
    });
    assert.ok(doc.includes('<bdi>Example App</bdi>'));
    assert.ok(doc.includes('<code>client-1</code>'));
    assert.match(doc, /After you approve, you will be sent to <strong>app\.example\.com<\/strong>/);
    assert.ok(doc.includes('<code>https://mcp.example.com/mcp</code>'));
    assert.equal(tagsWhere(doc, 'li').length, 2);
    assert.ok(doc.includes('<code>mcp:tools</code><span>Call tools</span>'));
    assert.ok(doc.includes('<code>offline_access</code></li>'));
    assert.match(doc, /Signed in as <strong><bdi>alice<\/bdi><\/strong>/);
  });

  it('shows the protected server’s name, escaped, above its URL, and nothing when it has none', () => {
    const doc = renderConsentPage({ ...baseConsent, resourceName: 'Notes <b>&</b>' });
    const [name, ...others] = tagsWhere(doc, 'strong', { class: 'resource-name' });
    assert.ok(name !== undefined && others.length === 0);
    assert.ok(
      doc.includes('<dd><strong class="resource-name"><bdi>Notes &lt;b&gt;&amp;&lt;/b&gt;</bdi></strong><br><code>https://mcp.example.com/mcp</code></dd>'),
    );
    assert.equal(tagsWhere(doc, 'b').length, 0);
    assert.equal(tagsWhere(renderConsentPage(baseConsent), 'strong', { class: 'resource-name' }).length, 0);
  });

  it('on a step-up, marks each scope not approved before as new, and says so', () => {
    const doc = renderConsentPage({
      ...baseConsent,
      scopes: [
        { name: 'notes:read', description: 'Read', isNew: false },
        { name: 'notes:write', description: 'Delete', isNew: true },
      ],
    });
    const items = [...doc.matchAll(/<li( class="scope-new")?><code>([^<]*)<\/code>/g)].map((m) => [m[2], m[1] !== undefined]);
    assert.deepEqual(items, [
      ['notes:read', false],
      ['notes:write', true],
    ]);
    assert.ok(doc.includes('<li class="scope-new"><code>notes:write</code> <strong class="scope-new-label">New</strong><span>Delete</span></li>'));
    assert.match(doc, /You approved this application before/);
    const first = renderConsentPage({ ...baseConsent, scopes: [{ name: 'notes:read' }, { name: 'notes:write' }] });
    assert.equal(tagsWhere(first, 'li', { class: 'scope-new' }).length, 0, 'a first consent marks nothing');
    assert.doesNotMatch(first, /approved this application before/);
  });

  it('names an unnamed application and says when no scopes were requested', () => {
    const doc = renderConsentPage({ ...baseConsent, clientName: null, scopes: [] });
    assert.ok(doc.includes(UNNAMED_CLIENT));
    assert.equal(tagsWhere(doc, 'ul').length, 0);
    assert.ok(doc.includes('No specific permissions were requested'));
  });
});

describe('error page', () => {
  it('shows the title, the message and the code, and offers no way onward', () => {
    const doc = renderErrorPage({ title: 'Unknown application', message: 'Not registered.', code: 'invalid_client' });
    assert.match(doc, /<h1>Unknown application<\/h1>/);
    assert.ok(doc.includes('Not registered.'));
    assert.ok(doc.includes('<code>invalid_client</code>'));
    assert.equal(tagsWhere(doc, 'form').length, 0);
    assert.equal(tagsWhere(doc, 'a').length, 0);
  });

  it('leaves the code out when there is none', () => {
    assert.ok(!renderErrorPage({ title: 'Bad request', message: 'Try again.' }).includes('Error code'));
  });
});

describe('every page', () => {
  for (const [name, doc] of allPages()) {
    it(`${name}: a complete document that loads nothing and runs nothing`, () => {
      assert.ok(doc.startsWith('<!doctype html>'));
      assert.equal(tagsWhere(doc, 'html', { lang: 'en' }).length, 1);
      assert.equal(tagsWhere(doc, 'meta', { name: 'viewport' }).length, 1);
      assert.equal(tagsWhere(doc, 'meta', { name: 'referrer', content: 'no-referrer' }).length, 1);
      assert.ok(!/<script/i.test(doc));
      assert.ok(!/<(link|img|iframe|object|embed|base)\b/i.test(doc));
      assert.ok(!/@import|url\(/i.test(doc));
      for (const tag of readTags(doc)) {
        assert.ok(!tag.attributes.has('style'), `no style attribute on <${tag.name}> (the CSP hash does not cover it)`);
        assert.ok(!tag.attributes.has('src'), `no src on <${tag.name}>`);
      }
      assert.match(doc, /<header class="brand">[\s\S]*Portcullis/);
    });

    it(`${name}: PAGE_STYLE_HASH is the hash of the style actually in the page`, () => {
      const css = styleText(doc);
      assert.equal(css, PAGE_STYLE);
      assert.equal(PAGE_STYLE_HASH, `sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}`);
      assert.ok(!css.includes('\r'), 'the HTML parser would turn CR into LF and change the hash');
    });
  }
});
