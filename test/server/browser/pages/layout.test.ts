import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html } from '../../../../src/core/html.js';
import { renderLayout } from '../../../../src/server/browser/pages/layout.js';
import { readTags, tagsWhere } from '../../../support/html-tags.js';
import { allPages } from './page-fixtures.js';

describe('hostile values are escaped on every page', () => {
  it('escapes the layout title', () => {
    const doc = renderLayout({ title: '</title><script>alert(1)</script>', body: html`` });
    assert.ok(!doc.includes('<script'));
    assert.ok(doc.includes('&lt;/title&gt;&lt;script&gt;'));
  });
});

// The document every page is rendered into (renderLayout), seen through each page.
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
  }
});
