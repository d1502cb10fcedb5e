import { classifyAuthorizationAnswer, responseParameters, sameRedirectTarget } from '../../authorization-answer.js';
import { type AuthorizationRequest, authorizationUrl } from '../../authorization-request.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import type { Probe } from '../../probe.js';

/**
 * What the authorization endpoint did with a probe, judged against the redirect URIs registered
 * for the client (a redirect is only a refusal when it goes to one of those):
 * - `refused`: an error page, an OAuth error body, or an `error` redirect to a registered URI;
 * - `granted`: a redirect carrying a `code` (or an `access_token`), wherever it goes;
 * - `error-redirect`: an `error` redirect to a URI that is not registered (an open redirector);
 * - `redirect`: a redirect with neither, to somewhere that is not the server's own pages;
 * - `deferred`: the server's own login or consent, as for the baseline: it may still check the
 *   request after the login, so without one nothing can be concluded.
 * @see RFC 6749 §4.1.2.1 (the forms a refusal takes)
 */
export type ProbeOutcome =
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
  | { readonly kind: 'deferred' };

/** Sends `request` to the authorization endpoint, without a login, and says what came back. */
export async function sendAuthorizationProbe(probe: Probe, request: AuthorizationRequest, registered: readonly string[]): Promise<ProbeOutcome> {
  const baseline = await probe.fact('authorizationBaseline');
  const response = await probe.fetch(authorizationUrl(request));
  return outcomeOf(probe, response, registered, baseline.interactionOrigins);
}

function outcomeOf(probe: Probe, response: ProbeResponse, registered: readonly string[], serverOrigins: readonly string[]): ProbeOutcome {
  const location = response.status >= 300 && response.status < 400 ? response.location() : undefined;
  if (location !== undefined) {
    const parameters = responseParameters(location);
    const toRegistered = registered.some((uri) => sameRedirectTarget(location, uri));
    if (parameters.has('code') || parameters.has('access_token')) {
      probe.remember(parameters.get('code') ?? undefined);
      probe.remember(parameters.get('access_token') ?? undefined);
      return { kind: 'granted', location, parameters };
    }
    const error = parameters.get('error');
    if (error !== null) {
      return toRegistered ? { kind: 'refused', form: 'redirect', status: response.status, error, parameters } : { kind: 'error-redirect', location, error };
    }
    if (!toRegistered && serverOrigins.includes(location.origin)) return { kind: 'deferred' };
    return { kind: 'redirect', location };
  }
  const answer = classifyAuthorizationAnswer(response, '', serverOrigins);
  switch (answer.kind) {
    case 'json-error':
      return { kind: 'refused', form: 'json', status: answer.status, error: answer.error };
    case 'interaction':
      return { kind: 'deferred' };
    default:
      return { kind: 'refused', form: 'page', status: response.status, error: undefined };
  }
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
