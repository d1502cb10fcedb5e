import { html, type SafeHtml } from '../../../core/html.js';

/** `<input type="hidden">` for each field (such as `csrf_token` and `request`), names and values escaped. */
export function renderHiddenFields(fields: Readonly<Record<string, string>>): SafeHtml {
  return html`${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}`;
}
