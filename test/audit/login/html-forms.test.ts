import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readForms } from '../../../src/audit/login/html-forms.js';

describe('readForms', () => {
  it('reads a login form: action, method, hidden fields with decoded values, the password input', () => {
    const [form] = readForms(`<form method="post" action="/login?x=1&amp;y=2">
      <input type="hidden" name="request" value="a&quot;b">
      <input name="username" autocomplete="username"><input type=password name=password>
      <button type="submit">Sign in</button></form>`);
    assert.equal(form?.action, '/login?x=1&y=2');
    assert.equal(form?.method, 'POST');
    assert.deepEqual(
      form?.fields.map((field) => [field.name, field.type, field.value]),
      [
        ['request', 'hidden', 'a"b'],
        ['username', 'text', ''],
        ['password', 'password', ''],
      ],
    );
    assert.deepEqual(form?.buttons, [{ name: undefined, value: undefined, label: 'Sign in' }]);
  });

  it('reads the named buttons of a consent form, and leaves out disabled inputs and non-submit buttons', () => {
    const [form] = readForms(`<FORM action='/consent'><input type="hidden" name="csrf_token" value="t" disabled>
      <button type="button" name="x">Help</button>
      <button name="decision" value="approve"><span>Approve</span></button>
      <input type="submit" name="decision" value="deny"></FORM>`);
    assert.equal(form?.method, 'POST');
    assert.deepEqual(form?.fields, []);
    assert.deepEqual(
      form?.buttons.map((button) => [button.name, button.value, button.label]),
      [
        ['decision', 'deny', 'deny'],
        ['decision', 'approve', 'Approve'],
      ],
    );
  });

  it('finds every form of a page, and none in a page without one', () => {
    assert.equal(readForms('<form></form><p>text</p><form method="get"></form>').length, 2);
    assert.equal(readForms('<form method="get"></form>')[0]?.method, 'GET');
    assert.deepEqual(readForms('<p>Approved.</p>'), []);
  });
});
