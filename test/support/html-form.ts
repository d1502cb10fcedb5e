/**
 * The one HTML form reader of the tests: the forms of a page as a browser would submit them
 * (action, method, hidden fields, named submit buttons), for FormBrowser, CrossOriginBrowser and
 * tests that post a page's form by hand. No scripts; values are HTML-unescaped.
 */

export interface ParsedForm {
  /** As written in the page (unescaped); resolve it against the page URL. */
  action: string;
  method: 'get' | 'post';
  hidden: Record<string, string>;
  /** Submit buttons with a name; a browser sends only the one clicked, so none is sent unless passed in `fields`. */
  buttons: Array<{ name: string; value: string }>;
}

/** Every form of `html`, in document order. */
export function parseForms(html: string): ParsedForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, formAttributes = '', body = '']) => {
    const form = attributesOf(formAttributes);
    const hidden: Record<string, string> = {};
    const buttons: Array<{ name: string; value: string }> = [];
    for (const [, tag = '', attributes = ''] of body.matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const { type = tag.toLowerCase() === 'button' ? 'submit' : 'text', name, value = '' } = attributesOf(attributes);
      if (name === undefined) continue;
      if (tag.toLowerCase() === 'input' && type.toLowerCase() === 'hidden') hidden[name] = value;
      else if (type.toLowerCase() === 'submit') buttons.push({ name, value });
    }
    return { action: form.action ?? '', method: form.method?.toLowerCase() === 'get' ? 'get' : 'post', hidden, buttons };
  });
}

/**
 * The first form of `html`. On the sign-in page with upstream providers every form carries the same
 * action and hidden fields (src/server/browser/pages/login-page.ts). Throws when there is no form.
 */
export function parseForm(html: string): ParsedForm {
  const form = parseForms(html)[0];
  if (form === undefined) throw new Error(`no form in the page: ${html.slice(0, 300)}`);
  return form;
}

/** The attributes of one tag, names lowercased, values HTML-unescaped. */
function attributesOf(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, name = '', doubleQuoted, singleQuoted, bare] of source.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    attributes[name.toLowerCase()] = unescapeHtml(doubleQuoted ?? singleQuoted ?? bare ?? '');
  }
  return attributes;
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&#x0*27;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
