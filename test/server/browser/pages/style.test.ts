import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { PAGE_STYLE, PAGE_STYLE_HASH } from '../../../../src/server/browser/pages/style.js';
import { styleText } from '../../../support/html-tags.js';
import { allPages } from './page-fixtures.js';

// The one stylesheet, seen in each page: its hash is what the Content-Security-Policy allows.
describe('every page', () => {
  for (const [name, doc] of allPages()) {
    it(`${name}: PAGE_STYLE_HASH is the hash of the style actually in the page`, () => {
      const css = styleText(doc);
      assert.equal(css, PAGE_STYLE);
      assert.equal(PAGE_STYLE_HASH, `sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}`);
      assert.ok(!css.includes('\r'), 'the HTML parser would turn CR into LF and change the hash');
    });
  }
});
