import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ErrorPageOptions, renderErrorPage } from '../../../../src/server/browser/pages/error-page.js';
import { tagsWhere } from '../../../support/html-tags.js';
import { itEscapesEveryHostileValue } from './page-fixtures.js';

/** An error page with `value` in every field. */
function errorWith(value: string): ErrorPageOptions {
  return { title: value, message: value, code: value };
}

describe('hostile values are escaped on every page', () => {
  itEscapesEveryHostileValue('error', (value: string) => renderErrorPage(errorWith(value)));
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
