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

/** The submit button a person wanting to go on would press: approve, allow, continue… never deny. */
function approvingButton(form: HtmlForm) {
  const named = (button: HtmlForm['buttons'][number]) => `${button.label} ${button.value ?? ''} ${button.name ?? ''}`;
  return (
    form.buttons.find((button) => APPROVE.test(named(button)) && !REFUSE.test(button.label)) ??
    (form.buttons.length === 1 && !REFUSE.test(named(form.buttons[0]!)) ? form.buttons[0] : undefined)
  );
}

export interface FormSubmission {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly body?: URLSearchParams;
}

/** Where {@link AutoBrowser.untilConsent} stopped: at a consent form it did not submit, or at the end. */
export type ConsentStop =
  | { readonly kind: 'consent'; readonly url: URL; readonly submission: FormSubmission; readonly html: string; readonly jar: CookieJar }
  | { readonly kind: 'completed'; readonly completed: CompletedAuthorization };

/**
 * Where {@link AutoBrowser.carryOn} stopped: at a redirect its caller named as the end (the
 * client's redirect URI, usually, with the authorization response), or at an error page (status
 * 400 or more), which {@link AuthorizationDriver.complete} would throw as inconclusive.
 */
export type CarriedStop =
  | Extract<ConsentStop, { kind: 'completed' }>
  | { readonly kind: 'error-page'; readonly url: URL; readonly method: string; readonly status: number; readonly hops: CompletedAuthorization['hops'] };

export interface CarryOptions {
  /** Whether a redirect to `location` ends the walk (the browser does not follow it). */
  readonly endsAt: (location: URL) => boolean;
  /** The fetch to send the walk's requests with (default the browser's own), so they become a check's evidence. */
  readonly fetch?: GuardedFetch;
}

export interface AutoBrowser extends AuthorizationDriver {
  /** Goes as {@link AuthorizationDriver.complete} does, but stops before submitting a consent page (AZ-14 replays it). */
  untilConsent(url: URL, redirectUri: string): Promise<ConsentStop>;
  /**
   * Goes as {@link AuthorizationDriver.complete} does, in the same session, until a redirect that
   * `endsAt` accepts; an error page is returned rather than thrown (an authorization probe carried
   * through the login reads it as a refusal). Throws InconclusiveError as `complete` does otherwise.
   */
  carryOn(url: URL, options: CarryOptions): Promise<CarriedStop>;
}

type WalkStop = ConsentStop | CarriedStop;

interface Walk {
  readonly endsAt: (location: URL) => boolean;
  readonly stopAtConsent: boolean;
  readonly fetch: GuardedFetch;
}

/** The InconclusiveError `complete` and `untilConsent` throw for an error page on the way. */
function notCompleted(stop: Extract<CarriedStop, { kind: 'error-page' }>): InconclusiveError {
  return new InconclusiveError(`the authorization did not complete: ${stop.method} ${stop.url.origin}${stop.url.pathname} answered ${stop.status}`);
}

/**
 * The built-in browser of `--browser auto`: follows redirects with a cookie jar per host, fills a
 * login form (a password input: the user name in the first text, email or username input, with
 * `--username` and `--password-stdin`), and submits the approving button of a consent page,
 * until the server redirects to the client's redirect URI. Works with Portcullis, with
 * oidc-provider's interaction pages, and with servers that approve at once. Every request goes
 * through the guarded fetch. One cookie jar for every walk: the session of one login serves the next.
 */
export function createAutoBrowser(options: AutoBrowserOptions): AutoBrowser {
  const jar = new CookieJar();

  async function walk(start: URL, how: Walk): Promise<WalkStop> {
    const hops: { method: string; url: string; status: number }[] = [];
    const pages: { url: string; html: string; headers: Headers }[] = [];
    let next: FormSubmission = { url: start, method: 'GET' };
    let loggedIn = false;
    for (let step = 0; step < (options.maxSteps ?? 15); step++) {
      const response = await how.fetch(next.url, {
        method: next.method,
        headers: { accept: 'text/html,application/xhtml+xml', ...jar.headersFor(next.url) },
        ...(next.body !== undefined ? { body: next.body } : {}),
      });
      hops.push({ method: next.method, url: next.url.href, status: response.status });
      jar.keep(next.url, response);
      const location = response.status >= 300 && response.status < 400 ? response.location() : undefined;
      if (location !== undefined) {
        if (how.endsAt(location)) return { kind: 'completed', completed: { callback: location, hops, pages } };
        // RFC 9110 §15.4: 307/308 repeat the method and body; 301/302/303 become a GET.
        next = response.status === 307 || response.status === 308 ? { ...next, url: location } : { url: location, method: 'GET' };
        continue;
      }
      if (response.status >= 400) return { kind: 'error-page', url: next.url, method: next.method, status: response.status, hops };
      pages.push({ url: next.url.href, html: response.text, headers: response.headers });
      const submit = submission(response, next.url, loggedIn, options);
      if (submit.isLogin) {
        if (options.username === undefined || options.password === undefined) {
          throw new InconclusiveError('the server shows a login page: give --username and --password-stdin (or --browser system)');
        }
        loggedIn = true;
      } else if (how.stopAtConsent && isConsentPage(response.text)) {
        return { kind: 'consent', url: next.url, submission: submit.request, html: response.text, jar };
      }
      next = submit.request;
    }
    throw new InconclusiveError(`the authorization did not reach the redirect URI within ${options.maxSteps ?? 15} steps`);
  }

  const toRedirectUri = (redirectUri: string) => (location: URL) => sameRedirectTarget(location, redirectUri);

  return {
    async complete(start, redirectUri) {
      const stop = await walk(start, { endsAt: toRedirectUri(redirectUri), stopAtConsent: false, fetch: options.fetch });
      if (stop.kind === 'error-page') throw notCompleted(stop);
      if (stop.kind !== 'completed') throw new InconclusiveError('the built-in browser stopped at a consent page');
      return stop.completed;
    },
    async untilConsent(start, redirectUri) {
      const stop = await walk(start, { endsAt: toRedirectUri(redirectUri), stopAtConsent: true, fetch: options.fetch });
      if (stop.kind === 'error-page') throw notCompleted(stop);
      return stop;
    },
    async carryOn(start, carry) {
      const stop = await walk(start, { endsAt: carry.endsAt, stopAtConsent: false, fetch: carry.fetch ?? options.fetch });
      if (stop.kind === 'consent') throw new InconclusiveError('the built-in browser stopped at a consent page');
      return stop;
    },
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
