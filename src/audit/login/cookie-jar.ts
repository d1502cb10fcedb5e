import type { ProbeResponse } from '../guarded-fetch.js';

/**
 * The built-in browser's cookies: kept per host (host-only, as the login and consent cookies of
 * an authorization server are), sent back to the same host, removed when the server expires them.
 * Enough for a login session; not RFC 6265's full model (no domain or path scoping).
 */
export class CookieJar {
  readonly #byHost = new Map<string, Map<string, string>>();

  /** The `Cookie` header for a request to `url`, or undefined when there is none. */
  header(url: URL): string | undefined {
    const cookies = this.#byHost.get(url.host);
    return cookies === undefined || cookies.size === 0 ? undefined : [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** The `Cookie` header for a request to `url`, as request headers (none when there is no cookie). */
  headersFor(url: URL): Record<string, string> {
    const cookie = this.header(url);
    return cookie === undefined ? {} : { cookie };
  }

  /** Keeps the cookies a response from `url` set. */
  keep(url: URL, response: ProbeResponse): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const cookies = this.#byHost.get(url.host) ?? new Map<string, string>();
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      if (/;\s*max-age=0/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
      this.#byHost.set(url.host, cookies);
    }
  }
}
