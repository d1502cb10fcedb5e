import { createHash } from 'node:crypto';

/**
 * The one stylesheet of every page, sent in a single `<style>` element. The pages use no `style`
 * attributes (a hash does not cover them without `'unsafe-hashes'`) and load nothing external.
 * Colours meet WCAG 2.2 AA contrast in both light and dark schemes: 4.5:1 for text, 3:1 for the
 * borders of inputs and buttons (1.4.11).
 */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f3f4f6;
  --card: #ffffff;
  --text: #111827;
  --muted: #4b5563;
  --border: #d1d5db;
  --control-border: #6b7280;
  --subtle: #f9fafb;
  --accent: #1d4ed8;
  --accent-hover: #1e40af;
  --on-accent: #ffffff;
  --focus: #2563eb;
  --warn-bg: #fffbeb;
  --warn-border: #d97706;
  --warn-text: #78350f;
  --error-bg: #fef2f2;
  --error-border: #dc2626;
  --error-text: #7f1d1d;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b0f17;
    --card: #161b26;
    --text: #f3f4f6;
    --muted: #a7b0be;
    --border: #323a4a;
    --control-border: #7b8494;
    --subtle: #1d2331;
    --accent: #3b82f6;
    --accent-hover: #60a5fa;
    --on-accent: #0b0f17;
    --focus: #93c5fd;
    --warn-bg: #2b2110;
    --warn-border: #d97706;
    --warn-text: #fde68a;
    --error-bg: #2c1416;
    --error-border: #ef4444;
    --error-text: #fecaca;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  min-height: 100vh;
  padding: 3rem 1rem;
  display: flex;
  flex-direction: column;
  align-items: center;
  background: var(--bg);
  color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", Arial, sans-serif;
  font-size: 1rem;
  line-height: 1.5;
}
.brand {
  display: flex;
  align-items: center;
  gap: 0.5rem;
  margin-bottom: 1.25rem;
  color: var(--muted);
  font-size: 0.9375rem;
  font-weight: 600;
  letter-spacing: 0.01em;
}
.brand svg { width: 1.375rem; height: 1.375rem; color: var(--accent); }
.card {
  width: 100%;
  max-width: 27rem;
  padding: 2rem;
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 0.75rem;
  box-shadow: 0 1px 2px rgb(0 0 0 / 0.05), 0 8px 24px rgb(0 0 0 / 0.06);
  overflow-wrap: anywhere;
}
.card > :last-child { margin-bottom: 0; }
h1 { margin: 0 0 0.25rem; font-size: 1.5rem; line-height: 1.25; font-weight: 650; }
.subtitle { display: block; margin-top: 0.375rem; color: var(--muted); font-size: 1rem; font-weight: 400; line-height: 1.4; }
.subtitle strong { color: var(--text); font-weight: 600; }
h2 { margin: 1.5rem 0 0.5rem; font-size: 1rem; font-weight: 600; }
p { margin: 0.75rem 0; }
.lead { margin: 0.75rem 0 0; color: var(--muted); }
.lead strong { color: var(--text); }
.muted { color: var(--muted); font-size: 0.875rem; }
code, .mono {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.875em;
}
a { color: var(--accent); text-underline-offset: 0.15em; }
a:hover { color: var(--accent-hover); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.notice {
  margin: 1.25rem 0;
  padding: 0.75rem 0.875rem;
  border: 1px solid;
  border-left-width: 4px;
  border-radius: 0.5rem;
  font-size: 0.9375rem;
}
.notice p { margin: 0; }
.notice p + p { margin-top: 0.25rem; }
.notice-warning { background: var(--warn-bg); border-color: var(--warn-border); color: var(--warn-text); }
.notice-error { background: var(--error-bg); border-color: var(--error-border); color: var(--error-text); }
form { margin: 1.5rem 0 0; }
.field { margin-bottom: 1rem; }
label { display: block; margin-bottom: 0.375rem; font-weight: 600; font-size: 0.9375rem; }
input[type="text"], input[type="password"] {
  display: block;
  width: 100%;
  min-height: 2.75rem;
  padding: 0.5rem 0.75rem;
  border: 1px solid var(--control-border);
  border-radius: 0.5rem;
  background: var(--card);
  color: var(--text);
  font: inherit;
}
input[aria-invalid="true"] { border-color: var(--error-border); }
input:focus-visible { outline-offset: 0; border-color: var(--focus); }
.actions { display: flex; gap: 0.75rem; margin-top: 1.5rem; }
.actions button { flex: 1 1 0; }
button {
  min-height: 2.75rem;
  padding: 0.625rem 1rem;
  border: 1px solid transparent;
  border-radius: 0.5rem;
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
.button-primary { background: var(--accent); color: var(--on-accent); }
.button-primary:hover { background: var(--accent-hover); }
.button-secondary { background: var(--card); color: var(--text); border-color: var(--control-border); }
.button-secondary:hover { background: var(--subtle); }
.button-block { display: block; width: 100%; margin-top: 0.5rem; }
form.provider + form.provider { margin-top: 0.25rem; }
.separator { text-align: center; margin: 1.25rem 0 0.5rem; }
a.button-primary { display: inline-block; padding: 0.625rem 1rem; border-radius: 0.5rem; font-weight: 600; text-decoration: none; }
.details {
  margin: 1.25rem 0 0;
  padding: 0.875rem 1rem;
  background: var(--subtle);
  border: 1px solid var(--border);
  border-radius: 0.5rem;
  font-size: 0.875rem;
}
.details div { display: grid; grid-template-columns: 6.5rem 1fr; gap: 0.75rem; padding: 0.25rem 0; }
.details dt { color: var(--muted); }
.details dd { margin: 0; min-width: 0; }
.details code { line-height: 1.4; }
.scopes { margin: 0; padding: 0; list-style: none; border: 1px solid var(--border); border-radius: 0.5rem; }
.scopes li { padding: 0.625rem 0.875rem; }
.scopes li + li { border-top: 1px solid var(--border); }
.scopes code { font-weight: 600; }
.scopes span { display: block; color: var(--muted); font-size: 0.875rem; }
.redirect {
  margin: 1.25rem 0 0;
  padding: 0.75rem 0.875rem;
  border: 1px solid var(--border);
  border-radius: 0.5rem;
  color: var(--muted);
  font-size: 0.9375rem;
  text-wrap: balance;
}
.redirect strong { display: block; margin-top: 0.125rem; color: var(--text); font-size: 1.125rem; }
.error-code { margin-top: 1.5rem; padding-top: 0.75rem; border-top: 1px solid var(--border); }
@media (max-width: 30rem) {
  body { padding: 1.25rem 0.75rem; }
  .card { padding: 1.5rem 1.25rem; }
  .details div { grid-template-columns: 1fr; gap: 0; padding: 0.25rem 0; }
}
`;

/**
 * The CSP source for {@link PAGE_STYLE}: `style-src 'sha256-…'` allows exactly this stylesheet.
 * @see https://www.w3.org/TR/CSP3/#grammardef-hash-source
 */
export const PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}`;
