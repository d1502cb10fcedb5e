import { dangerouslyTrustHtml, html, type SafeHtml } from '../../../core/html.js';
import { PAGE_STYLE } from './style.js';

export interface LayoutOptions {
  /** The page's subject, shown in the tab as "<title> · Portcullis". Escaped. */
  title: string;
  /** The content of the card. */
  body: SafeHtml;
}

/** A portcullis gate, drawn inline so the page loads nothing external. */
const LOGO = html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M4 21V9a8 8 0 0 1 16 0v12"/><path d="M8 5.2V21M12 4v17M16 5.2V21M4 11h16M4 16h16"/></svg>`;

/**
 * The full HTML document around a page: a centered card under a small "Portcullis" header, the one
 * stylesheet whose hash is {@link PAGE_STYLE_HASH}, and no scripts. `referrer` is `no-referrer` so
 * the query of an authorization request never leaks to a link's target.
 */
export function renderLayout({ title, body }: LayoutOptions): string {
  const style = dangerouslyTrustHtml(PAGE_STYLE);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${title} · Portcullis</title>
<style>${style}</style>
</head>
<body>
<header class="brand">${LOGO}<span>Portcullis</span></header>
<main class="card">
${body}
</main>
</body>
</html>
`.toString();
}
