import { sameRedirectTarget } from '../authorization-answer.js';
import type { GuardedFetch, ProbeResponse } from '../guarded-fetch.js';
import { InconclusiveError } from '../verdict.js';
import type { AuthorizationDriver, CompletedAuthorization } from './authorization-driver.js';
import { CookieJar } from './cookie-jar.js';
import { type HtmlForm, readForms } from './html-forms.js';

export interface AutoBrowserOptions {
  readonly fetch: GuardedFetch;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Redirects and pages followed before giving up. */
  readonly maxSteps?: number;
}

const APPROVE = /\b(approve|allow|accept|authori[sz]e|consent|grant|yes|continue|confirm|sign in|log ?in)\b/i;
const REFUSE = /\b(deny|cancel|reject|decline|no)\b/i;

/** The submit button a person wanting to go on would press: approve, allow, continue… never deny. */
/** Words of a button or page that ask the user to let a client in (not merely to sign in). */
const CONSENT = /\b(approve|allow|authori[sz]e|consent|grant|accept)\b/i;

/**
 * Whether a page asks the user to approve a client: a form with a button saying so
 * (`Approve`, `Allow`, `decision=approve`), or, as oidc-provider's consent prompt does, a page
 * that says it and has a button to go on. A page that only asks for a password is a login.
 */
export function isConsentPage(html: string): boolean {
  const forms = readForms(html);
  if (forms.some((form) => form.buttons.some((button) => CONSENT.test(`${button.label} ${button.value ?? ''} ${button.name ?? ''}`)))) return true;
  const text = html.replace(/<[^>]*>/g, ' ');
  return CONSENT.test(text) && forms.some((form) => !form.fields.some((field) => field.type === 'password') && approvingButton(form) !== undefined);
}

function approvingButton(form: HtmlForm) {
  const named = (button: HtmlForm['buttons'][number]) => `${button.label} ${button.value ?? ''} ${button.name ?? ''}`;
  return (
    form.buttons.find((button) => APPROVE.test(named(button)) && !REFUSE.test(button.label)) ??
    (form.buttons.length === 1 && !REFUSE.test(named(form.buttons[0]!)) ? form.buttons[0] : undefined)
  );
}

/**
 * The built-in browser of `--browser auto`: follows redirects with a cookie jar per host, fills a
 * login form (a password input: the user name in the first text, email or username input, with
 * `--username` and `--password-stdin`), and submits the approving button of a consent page,
 * until the server redirects to the client's redirect URI. Works with Portcullis, with
 * oidc-provider's interaction pages, and with servers that approve at once. Every request goes
 * through the guarded fetch.
 */
export interface FormSubmission {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly body?: URLSearchParams;
}

/** Where {@link AutoBrowser.untilConsent} stopped: at a consent form it did not submit, or at the end. */
export type ConsentStop =
  | { readonly kind: 'consent'; readonly submission: FormSubmission; readonly html: string; readonly jar: CookieJar }
  | { readonly kind: 'completed'; readonly completed: CompletedAuthorization };

export interface AutoBrowser extends AuthorizationDriver {
  /** Goes as {@link AuthorizationDriver.complete} does, but stops before submitting a consent page (AZ-14 replays it). */
  untilConsent(url: URL, redirectUri: string): Promise<ConsentStop>;
}

export function createAutoBrowser(options: AutoBrowserOptions): AutoBrowser {
  const jar = new CookieJar();

  async function walk(start: URL, redirectUri: string, stopAtConsent: boolean): Promise<ConsentStop> {
    const hops: { method: string; url: string; status: number }[] = [];
    const pages: { url: string; html: string; headers: Headers }[] = [];
    let next: FormSubmission = { url: start, method: 'GET' };
    let loggedIn = false;
    for (let step = 0; step < (options.maxSteps ?? 15); step++) {
      const response = await options.fetch(next.url, {
        method: next.method,
        headers: { accept: 'text/html,application/xhtml+xml', ...jar.headersFor(next.url) },
        ...(next.body !== undefined ? { body: next.body } : {}),
      });
      hops.push({ method: next.method, url: next.url.href, status: response.status });
      jar.keep(next.url, response);
      const location = response.status >= 300 && response.status < 400 ? response.location() : undefined;
      if (location !== undefined) {
        if (sameRedirectTarget(location, redirectUri)) return { kind: 'completed', completed: { callback: location, hops, pages } };
        // RFC 9110 §15.4: 307/308 repeat the method and body; 301/302/303 become a GET.
        next = response.status === 307 || response.status === 308 ? { ...next, url: location } : { url: location, method: 'GET' };
        continue;
      }
      if (response.status >= 400) {
        throw new InconclusiveError(`the authorization did not complete: ${next.method} ${next.url.origin}${next.url.pathname} answered ${response.status}`);
      }
      pages.push({ url: next.url.href, html: response.text, headers: response.headers });
      const submit = submission(response, next.url, loggedIn, options);
      if (submit.isLogin) {
        if (options.username === undefined || options.password === undefined) {
          throw new InconclusiveError('the server shows a login page: give --username and --password-stdin (or --browser system)');
        }
        loggedIn = true;
      } else if (stopAtConsent && isConsentPage(response.text)) {
        return { kind: 'consent', submission: submit.request, html: response.text, jar };
      }
      next = submit.request;
    }
    throw new InconclusiveError(`the authorization did not reach the redirect URI within ${options.maxSteps ?? 15} steps`);
  }

  return {
    async complete(start, redirectUri) {
      const stop = await walk(start, redirectUri, false);
      if (stop.kind !== 'completed') throw new InconclusiveError('the built-in browser stopped at a consent page');
      return stop.completed;
    },
    untilConsent: (start, redirectUri) => walk(start, redirectUri, true),
  };
}

/** What a person would submit on this page: the login form filled in, or the approving button of a consent form. */
function submission(response: ProbeResponse, pageUrl: URL, loggedIn: boolean, options: AutoBrowserOptions): { isLogin: boolean; request: FormSubmission } {
  const forms = readForms(response.text);
  const login = forms.find((form) => form.fields.some((field) => field.type === 'password'));
  const form = login ?? forms.find((candidate) => approvingButton(candidate) !== undefined);
  if (form === undefined)
    throw new InconclusiveError(
      `a page at ${pageUrl.origin}${pageUrl.pathname} has no login or approval form the built-in browser can use (try --browser system)`,
    );
  if (login !== undefined && loggedIn) throw new InconclusiveError('the login page came back after signing in: the user name or password was refused');
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.type === 'password') body.set(field.name, options.password ?? '');
    else if (login !== undefined && ['text', 'email'].includes(field.type) && !body.has(field.name) && field.value === '')
      body.set(field.name, options.username ?? '');
    else if (field.type !== 'checkbox' && field.type !== 'radio') body.append(field.name, field.value);
  }
  const button = approvingButton(form);
  if (button?.name !== undefined) body.append(button.name, button.value ?? '');
  const action = new URL(form.action ?? pageUrl.href, pageUrl);
  const isLogin = login !== undefined;
  if (form.method === 'GET') {
    for (const [name, value] of body) action.searchParams.append(name, value);
    return { isLogin, request: { url: action, method: 'GET' } };
  }
  return { isLogin, request: { url: action, method: 'POST', body } };
}
