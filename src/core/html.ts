/**
 * Escaping for the pages Portcullis renders (login, consent and error pages; the client's
 * loopback redirect page). Every value interpolated into {@link html} is escaped unless it is
 * already a {@link SafeHtml} fragment, so attacker-controlled text (client names, redirect
 * hosts, scopes, usernames, error texts) can never become markup.
 *
 * Templates must always quote attribute values (`name="${value}"`): escaping makes a value safe
 * inside a quoted attribute or element text, not in an unquoted attribute, a `<script>`, a
 * `<style>`, or a URL attribute whose scheme is not checked (see {@link safeHttpUrl}).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `& < > " '` so the text is inert in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

let trustHtml: (text: string) => SafeHtml;

/**
 * A fragment of HTML that is already escaped (built by {@link html}) and is inserted as is.
 * It can only be made inside this module: the constructor is private, and `instanceof` checks a
 * real private field, so a plain object or string cannot pass for it.
 */
export class SafeHtml {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static {
    trustHtml = (text) => new SafeHtml(text);
  }

  static isSafeHtml(value: unknown): value is SafeHtml {
    return typeof value === 'object' && value !== null && #text in value;
  }

  toString(): string {
    return this.#text;
  }
}

/** What may be interpolated: text (escaped), fragments (kept), lists (joined), nothing (`null`, `undefined`, `false`). */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

function renderValue(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (SafeHtml.isSafeHtml(value)) return value.toString();
  if (Array.isArray(value)) return value.map(renderValue).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template that escapes every interpolated value and returns a {@link SafeHtml} fragment.
 *
 * @example html`<p>Signed in as <strong>${username}</strong></p>`
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += renderValue(values[i]) + (strings[i + 1] ?? '');
  }
  return trustHtml(out);
}

/**
 * Marks text as HTML without escaping it. Dangerous: only for constants written in this codebase
 * (such as the page's CSS), never for anything that came from a request, a client or the store.
 */
export function dangerouslyTrustHtml(constantText: string): SafeHtml {
  return trustHtml(constantText);
}

/**
 * The URL as a string if it is an absolute `https:` or `http:` URL, otherwise `null`. Escaping alone
 * does not make an `href` safe: `javascript:` or `data:` would still run when clicked.
 */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
