import { spawn } from 'node:child_process';

/**
 * Opening an authorization URL in the user's browser, for terminal logins (RFC 8252 §6: a native
 * app uses the external user agent, never an embedded one).
 *
 * Only `http:` and `https:` URLs are opened: the URL comes from an authorization server's metadata,
 * and a hostile server must not make us run `javascript:`, `file:`, `data:` or an OS protocol
 * handler. The opener is started with an argument array, never through a shell, so nothing in the
 * URL (`$()`, `;`, backticks, `&`) is interpreted.
 * @see RFC 8252 §6, §8.1; MCP Authorization security best practices, "Authorization URL"
 */

/** Refused before anything is started: the URL is not an http(s) URL. */
export class UnsafeBrowserUrlError extends Error {
  readonly code = 'unsafe_browser_url';
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeBrowserUrlError';
  }
}

export interface OpenBrowserOptions {
  /** Do not start anything; the caller prints the URL (`--no-browser`). */
  noBrowser?: boolean;
  /** Where `PORTCULLIS_BROWSER` / `BROWSER` are read from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
}

export type OpenBrowserResult = { opened: true; command: string } | { opened: false; reason: 'no-browser' | 'failed'; detail?: string };

/**
 * Checks that `url` is an absolute http or https URL and returns it normalised (the exact string
 * that will reach the browser). Throws {@link UnsafeBrowserUrlError} otherwise.
 */
export function assertBrowserUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new UnsafeBrowserUrlError('refusing to open a browser: the authorization URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UnsafeBrowserUrlError(`refusing to open a browser: the authorization URL has the scheme "${parsed.protocol}"; only http and https are opened`);
  }
  if (parsed.hostname === '') throw new UnsafeBrowserUrlError('refusing to open a browser: the authorization URL has no host');
  if (parsed.username !== '' || parsed.password !== '') {
    // RFC 3986 §7.6: userinfo is the classic way to make a URL look like another host.
    throw new UnsafeBrowserUrlError('refusing to open a browser: the authorization URL carries a user name or password');
  }
  return parsed.href;
}

/**
 * The command and arguments that open `url`: `PORTCULLIS_BROWSER`, else `BROWSER`, else the
 * platform's opener (`open` on macOS, `rundll32 url.dll,FileProtocolHandler` on Windows,
 * `xdg-open` elsewhere). An override is split on whitespace into a program and its arguments (no
 * shell, no quoting); `%s` in it is replaced by the URL, otherwise the URL is the last argument.
 */
export function browserCommand(url: string, options: Pick<OpenBrowserOptions, 'env' | 'platform'> = {}): { command: string; args: string[] } {
  const env = options.env ?? process.env;
  const override = (env['PORTCULLIS_BROWSER'] || env['BROWSER'] || '').trim();
  if (override !== '') {
    const [command, ...rest] = override.split(/\s+/) as [string, ...string[]];
    const args = rest.includes('%s') ? rest.map((arg) => (arg === '%s' ? url : arg)) : [...rest, url];
    return { command, args };
  }
  switch (options.platform ?? process.platform) {
    case 'darwin':
      return { command: 'open', args: [url] };
    case 'win32':
      // `start` would need cmd.exe, a shell; rundll32 takes the URL as one argument.
      return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
    default:
      return { command: 'xdg-open', args: [url] };
  }
}

/**
 * Opens `url` in the user's browser. Refuses anything but http(s) with
 * {@link UnsafeBrowserUrlError}; resolves `{ opened: false }` when told not to open one or when the
 * opener could not be started, so the caller can print the URL instead.
 * @see RFC 8252 §6
 */
export async function openBrowser(url: string | URL, options: OpenBrowserOptions = {}): Promise<OpenBrowserResult> {
  const href = assertBrowserUrl(url);
  if (options.noBrowser) return { opened: false, reason: 'no-browser' };
  const { command, args } = browserCommand(href, options);
  return new Promise<OpenBrowserResult>((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { shell: false, stdio: 'ignore', detached: true, windowsHide: true });
    } catch (error) {
      resolve({ opened: false, reason: 'failed', detail: error instanceof Error ? error.message : String(error) });
      return;
    }
    child.once('error', (error) => resolve({ opened: false, reason: 'failed', detail: error.message }));
    child.once('spawn', () => {
      // The browser (or xdg-open) lives on after we exit; it must not keep this process alive.
      child.unref();
      resolve({ opened: true, command });
    });
  });
}
