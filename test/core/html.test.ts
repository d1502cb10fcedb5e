/**
 * The escaping every page relies on (src/core/html.ts): `escapeHtml`, and the `html` tag that
 * escapes what is interpolated unless it is a real SafeHtml fragment.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, type HtmlValue, html, SafeHtml } from '../../src/core/html.js';

describe('escapeHtml and html', () => {
  it('escapes & < > " and \'', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes every interpolated string and number, and renders nothing for null, undefined and false', () => {
    const value = '<b>"x"</b>';
    assert.equal(
      html`<p title="${value}">${value}${42}${null}${undefined}${false}</p>`.toString(),
      '<p title="&lt;b&gt;&quot;x&quot;&lt;/b&gt;">&lt;b&gt;&quot;x&quot;&lt;/b&gt;42</p>',
    );
  });

  it('keeps nested fragments as they are, without escaping them twice', () => {
    const inner = html`<em>${'a & b'}</em>`;
    const items: HtmlValue = ['<x>', html`<br>`];
    assert.equal(html`<p>${inner}${items}</p>`.toString(), '<p><em>a &amp; b</em>&lt;x&gt;<br></p>');
  });

  it('cannot be fooled by an object that only looks like a fragment', () => {
    const forged = { toString: () => '<script>alert(1)</script>' } as unknown as SafeHtml;
    assert.equal(SafeHtml.isSafeHtml(forged), false);
    assert.equal(html`${forged}`.toString(), '&lt;script&gt;alert(1)&lt;/script&gt;');
    assert.equal(SafeHtml.isSafeHtml(html`<p></p>`), true);
  });
});
