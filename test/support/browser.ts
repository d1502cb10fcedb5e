import { parseForm } from './html-form.js';

/**
 * A minimal browser for the login and consent pages over real HTTP: it keeps cookies, follows
 * redirects on the server's origin, reads forms by the names the docs/design.md contract fixes, and
 * stops at the first redirect that leaves the server (the client's redirect URI).
 */
export class FormBrowser {
  readonly cookies = new Map<string, string>();
  constructor(readonly origin: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && new URL(url).origin === this.origin) headers.set('Cookie', this.cookieHeader());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    if (new URL(url).origin === this.origin) this.remember(response);
    return response;
  }

  /** Follows same-origin redirects; returns the final page, or the URL of a redirect that leaves. */
  async navigate(url: string, init: RequestInit = {}): Promise<{ response: Response; url: string; leftTo?: string }> {
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const location = new URL(response.headers.get('location')!, current).href;
      if (new URL(location).origin !== this.origin) return { response, url: current, leftTo: location };
      current = location;
      response = await this.request(current);
    }
    return { response, url: current };
  }

  /** Submits the first form on `page` with the given fields added to its hidden fields. */
  async submitForm(page: { html: string; url: string }, fields: Record<string, string>) {
    const form = parseForm(page.html);
    const body = new URLSearchParams({ ...form.hidden, ...fields });
    return this.navigate(new URL(form.action, page.url).href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  /**
   * Runs the whole browser part of an authorization: open the URL, sign in if asked, then approve
   * or deny. Returns the client redirect URI the server finally sent the browser to.
   */
  async authorize(authorizationUrl: string, login: { username: string; password: string }, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
    let step = await this.navigate(authorizationUrl);
    for (let i = 0; i < 3 && step.leftTo === undefined; i++) {
      const html = await step.response.text();
      if (/name="password"/.test(html)) step = await this.submitForm({ html, url: step.url }, login);
      else if (/name="decision"/.test(html)) step = await this.submitForm({ html, url: step.url }, { decision });
      else throw new Error(`unexpected page ${step.response.status} at ${step.url}: ${html.slice(0, 300)}`);
    }
    if (step.leftTo === undefined) throw new Error('authorization did not redirect back to the client');
    return new URL(step.leftTo);
  }
}
