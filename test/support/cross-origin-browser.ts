/**
 * A minimal browser for flows that cross origins: Portcullis → upstream identity provider →
 * Portcullis → the MCP client's redirect URI. It keeps one cookie jar per origin, follows
 * redirects to any origin, and reads and submits forms. No scripts, no Domain or Path matching.
 */
import { parseForms } from './html-form.js';

/** Where a navigation ended: the last response, its URL, and the redirect target it stopped at, if any. */
export interface Page {
  response: Response;
  url: string;
  stoppedAt?: URL;
}

const MAX_REDIRECTS = 20;

export class CrossOriginBrowser {
  /**
   * Cookies by origin. A real browser scopes cookies by host and ignores the port (RFC 6265 §8.5),
   * but every party of a test listens on 127.0.0.1, so the port is what tells them apart here.
   */
  readonly jars = new Map<string, Map<string, string>>();

  /** The cookie jar of `url`'s origin (created empty on first use). */
  cookies(url: string): Map<string, string> {
    const origin = new URL(url).origin;
    let jar = this.jars.get(origin);
    if (jar === undefined) {
      jar = new Map();
      this.jars.set(origin, jar);
    }
    return jar;
  }

  /** One fetch, redirects not followed, with the cookies of `url`'s origin sent and updated. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies(url);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('Cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    remember(jar, response);
    return response;
  }

  /**
   * Follows redirects across any origin, up to 20. Stops without fetching at the first redirect
   * target for which `stopAt` is true (e.g. a client redirect URI nobody listens on).
   */
  async navigate(url: string, init: RequestInit = {}, stopAt?: (url: URL) => boolean): Promise<Page> {
    let current = url;
    let request = init;
    for (let hops = 0; ; hops++) {
      const response = await this.request(current, request);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { response, url: current };
      const next = new URL(location, current);
      if (stopAt?.(next)) return { response, url: current, stoppedAt: next };
      if (hops === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects, the last from ${current} to ${next.href}`);
      await response.body?.cancel();
      // RFC 9110 §15.4.4: a 303 is followed with GET; browsers do the same for 301/302 after a POST (§15.4.2-3).
      const method = (request.method ?? 'GET').toUpperCase();
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) request = {};
      current = next.href;
    }
  }

  /**
   * Submits form `formIndex` (default 0) of `page`: its hidden fields plus `fields`, urlencoded in a
   * POST, or as the query of a GET (which replaces the action's query, as browsers do). Then
   * navigates like `navigate`.
   */
  async submitForm(
    page: { html: string; url: string },
    fields: Record<string, string>,
    options: { formIndex?: number; stopAt?: ((url: URL) => boolean) | undefined } = {},
  ): Promise<Page> {
    const index = options.formIndex ?? 0;
    const form = parseForms(page.html)[index];
    if (form === undefined) throw new Error(`no form #${index} on ${page.url}: ${page.html.slice(0, 300)}`);
    const action = new URL(form.action || page.url, page.url);
    const data = new URLSearchParams({ ...form.hidden, ...fields });
    if (form.method === 'get') {
      action.search = data.toString();
      return this.navigate(action.href, {}, options.stopAt);
    }
    const init = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: data.toString() };
    return this.navigate(action.href, init, options.stopAt);
  }
}

/** Applies a response's Set-Cookie headers; a Max-Age ≤ 0, a past Expires or an empty value deletes. */
function remember(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key = '', val = ''] = attribute.split('=').map((part) => part.trim());
      if (/^max-age$/i.test(key)) return Number(val) <= 0;
      if (/^expires$/i.test(key)) return Date.parse(val) <= Date.now();
      return false;
    });
    if (expired || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}
