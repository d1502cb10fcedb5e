import { classifyAuthorizationAnswer, responseParameters, sameRedirectTarget } from '../../authorization-answer.js';
import { type AuthorizationRequest, authorizationUrl } from '../../authorization-request.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import type { AutoBrowser } from '../../login/auto-browser.js';
import type { Probe } from '../../probe.js';
import { InconclusiveError, NotReachedError } from '../../verdict.js';

/**
 * What the authorization endpoint did with a probe, judged against the redirect URIs registered
 * for the client (a redirect is only a refusal when it goes to one of those):
 * - `refused`: an error page, an OAuth error body, or an `error` redirect to a registered URI;
 * - `granted`: a redirect carrying a `code` (or an `access_token`), wherever it goes;
 * - `error-redirect`: an `error` redirect to a URI that is not registered (an open redirector);
 * - `redirect`: a redirect with neither, to somewhere that is not the server's own pages;
 * - `deferred`: the server's own login or consent, as for the baseline: it may still check the
 *   request after the login, so without one nothing can be concluded (`reason` says why there
 *   was none, or how the one tried ended).
 * `afterLogin`: the answer came at the end of the login and consent (see {@link sendAuthorizationProbe}).
 * @see RFC 6749 §4.1.2.1 (the forms a refusal takes)
 */
export type ProbeOutcome =
  | ((
      | {
          readonly kind: 'refused';
          readonly form: 'page' | 'json' | 'redirect';
          readonly status: number;
          readonly error: string | undefined;
          readonly parameters?: URLSearchParams;
        }
      | { readonly kind: 'granted'; readonly location: URL; readonly parameters: URLSearchParams }
      | { readonly kind: 'error-redirect'; readonly location: URL; readonly error: string }
      | { readonly kind: 'redirect'; readonly location: URL }
    ) & { readonly afterLogin?: true })
  | { readonly kind: 'deferred'; readonly reason: string };

/** Why a probe that met the login page was not carried through it: no `--login`. */
export const DEFERRED = 'the server showed its login or consent page, as for the valid request: it may check this after the login (run with --login to see)';
/** … or `--login` with a browser the auditor does not drive (`--browser system`, `--browser-command`). */
export const DEFERRED_NOT_DRIVEN =
  'the server showed its login or consent page, as for the valid request: it may check this after the login, and only the built-in browser (--browser auto) carries a probe through it';

/**
 * Sends `request` to the authorization endpoint, without a login, and says what came back. When
 * that is the login or consent page (`deferred`) and the audit runs with `--login` and the
 * built-in browser, the probe is carried on through the login and consent as a user would, and
 * its outcome is what the server did at the end ({@link carriedThroughLogin}).
 */
export async function sendAuthorizationProbe(probe: Probe, request: AuthorizationRequest, registered: readonly string[]): Promise<ProbeOutcome> {
  const baseline = await probe.fact('authorizationBaseline');
  const response = await probe.fetch(authorizationUrl(request));
  const outcome = outcomeOf(probe, response, registered, baseline.interactionOrigins);
  if (outcome.kind !== 'deferred') return outcome;
  if (!probe.settings.login) return outcome;
  // Only the built-in browser: the user's browser (or a command) would ask a person for every probe.
  if (probe.settings.browser.kind !== 'auto') return { kind: 'deferred', reason: DEFERRED_NOT_DRIVEN };
  return carriedThroughLogin(probe, request, registered, baseline.interactionOrigins);
}

/**
 * A deferred probe, sent again by the built-in browser (its session, its cookies), through the
 * login and consent, to the first redirect off the server's own pages. A code at the client is
 * `granted`; an `error` redirect to a registered URI, or an error page on the way, `refused`;
 * anything the browser cannot get through stays `deferred`, with what stopped it.
 *
 * Attribution: a refusal after the login counts only because the baseline authorization, sent
 * through the same browser and the same login (the token baseline), was accepted with a code;
 * the probe differs from it in one parameter, so it is the change that was refused. Without that
 * baseline nothing after the login is attributed.
 */
async function carriedThroughLogin(
  probe: Probe,
  request: AuthorizationRequest,
  registered: readonly string[],
  serverOrigins: readonly string[],
): Promise<ProbeOutcome> {
  const carriedOn = (why: string): ProbeOutcome => ({ kind: 'deferred', reason: `the server showed its login or consent page; carried through it, ${why}` });
  try {
    await probe.fact('tokenBaseline');
  } catch (error) {
    if (!(error instanceof NotReachedError || error instanceof InconclusiveError)) throw error;
    return {
      kind: 'deferred',
      reason: `the server showed its login or consent page, not gone through: the baseline authorization did not complete with the login (${error.message}), so nothing after it could be attributed`,
    };
  }
  const driver: Partial<AutoBrowser> = await probe.fact('driver');
  if (driver.carryOn === undefined) return { kind: 'deferred', reason: DEFERRED_NOT_DRIVEN };
  const ends = (location: URL) =>
    sameRedirectTarget(location, request.redirectUri) ||
    registered.some((uri) => sameRedirectTarget(location, uri)) ||
    !serverOrigins.includes(location.origin);
  try {
    const stop = await driver.carryOn(authorizationUrl(request), { endsAt: ends, fetch: probe.fetch });
    if (stop.kind === 'error-page') return { kind: 'refused', form: 'page', status: stop.status, error: undefined, afterLogin: true };
    const { callback, hops } = stop.completed;
    const outcome = outcomeOfRedirect(probe, callback, hops.at(-1)?.status ?? 302, registered, serverOrigins);
    return outcome.kind === 'deferred' ? carriedOn(`the server sent the browser back to its own ${callback.pathname}`) : { ...outcome, afterLogin: true };
  } catch (error) {
    if (!(error instanceof InconclusiveError)) throw error;
    return carriedOn(`the browser did not get to the end: ${error.message}`);
  }
}

function outcomeOf(probe: Probe, response: ProbeResponse, registered: readonly string[], serverOrigins: readonly string[]): ProbeOutcome {
  const location = response.status >= 300 && response.status < 400 ? response.location() : undefined;
  if (location !== undefined) return outcomeOfRedirect(probe, location, response.status, registered, serverOrigins);
  const answer = classifyAuthorizationAnswer(response, '', serverOrigins);
  switch (answer.kind) {
    case 'json-error':
      return { kind: 'refused', form: 'json', status: answer.status, error: answer.error };
    case 'interaction':
      return { kind: 'deferred', reason: DEFERRED };
    default:
      return { kind: 'refused', form: 'page', status: response.status, error: undefined };
  }
}

/** What a redirect to `location` says; a code or token in it is remembered, so no report shows it. */
function outcomeOfRedirect(probe: Probe, location: URL, status: number, registered: readonly string[], serverOrigins: readonly string[]): ProbeOutcome {
  const parameters = responseParameters(location);
  const toRegistered = registered.some((uri) => sameRedirectTarget(location, uri));
  if (parameters.has('code') || parameters.has('access_token')) {
    probe.remember(parameters.get('code') ?? undefined);
    probe.remember(parameters.get('access_token') ?? undefined);
    return { kind: 'granted', location, parameters };
  }
  const error = parameters.get('error');
  if (error !== null) {
    return toRegistered ? { kind: 'refused', form: 'redirect', status, error, parameters } : { kind: 'error-redirect', location, error };
  }
  if (!toRegistered && serverOrigins.includes(location.origin)) return { kind: 'deferred', reason: DEFERRED };
  return { kind: 'redirect', location };
}

/** The parameters an authorization response adds to the redirect URI (RFC 6749 §4.1.2, §4.1.2.1, §4.2.2; RFC 9207 §2). */
const RESPONSE_PARAMETERS = [
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'error_uri',
  'session_state',
  'access_token',
  'token_type',
  'expires_in',
  'scope',
];

/** `location` without the parameters the authorization response added to it: the redirect URI it was sent to. */
export function withoutResponse(location: URL): URL {
  const bare = new URL(location.href);
  for (const name of RESPONSE_PARAMETERS) bare.searchParams.delete(name);
  if (bare.search === '?') bare.search = '';
  return bare;
}

/** Where a redirect goes, for summaries: the redirect URI without the response (never a code or a token), a fragment as `#…`. */
export function place(location: URL): string {
  const bare = withoutResponse(location);
  return `${bare.protocol}//${bare.host}${bare.pathname}${bare.search}${bare.hash === '' ? '' : '#…'}`;
}

/** How a refusal looked, in a few words: "an error page (400)", "error=invalid_request redirected to the client". */
export function describeRefusal(outcome: Extract<ProbeOutcome, { kind: 'refused' }>): string {
  switch (outcome.form) {
    case 'page':
      return `an error page (${outcome.status})`;
    case 'json':
      return `error=${outcome.error} as JSON (${outcome.status})`;
    case 'redirect':
      return `error=${outcome.error} redirected to the client`;
  }
}

/** The redirect URIs registered for the auditor's client. */
export async function registeredRedirectUris(probe: Probe): Promise<string[]> {
  const client = await probe.fact('client');
  return [...new Set([client.redirectUri, client.otherRedirectUri])];
}
