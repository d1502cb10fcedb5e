import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConsentPageOptions, renderConsentPage, UNNAMED_CLIENT, UNVERIFIED_CLIENT_WARNING } from '../../../../src/server/browser/pages/consent-page.js';
import { tagsWhere } from '../../../support/html-tags.js';
import { baseConsent, itEscapesEveryHostileValue } from './page-fixtures.js';

/** A consent page with `value` in every attacker-controlled field. */
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

describe('hostile values are escaped on every page', () => {
  itEscapesEveryHostileValue('consent', (value: string) => renderConsentPage(consentWith(value)));

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
