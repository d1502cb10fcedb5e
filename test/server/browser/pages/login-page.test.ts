import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LoginPageOptions, renderLoginPage } from '../../../../src/server/browser/pages/login-page.js';
import { tagsWhere, unescapeAttribute } from '../../../support/html-tags.js';
import { baseLogin, itEscapesEveryHostileValue } from './page-fixtures.js';

/** A login page with `value` in every attacker-controlled field. */
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

describe('hostile values are escaped on every page', () => {
  itEscapesEveryHostileValue('login', (value: string) => renderLoginPage(loginWith(value)));
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
