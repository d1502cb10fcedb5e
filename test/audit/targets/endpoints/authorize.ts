import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { redirect, sendErrorPage } from '../http-helpers.js';
import { has, type TargetClient, type TargetState } from '../target-state.js';

/**
 * Flaws of the authorization endpoint (AZ-*), each changing one behaviour of GET /authorize.
 */
export type AuthorizeFlaw =
  /** AZ-14 (with `consentPage` and `sessionLogin`): the consent POST is taken with the session cookie alone; its CSRF token is not compared. */
  | 'consent-without-csrf'
  /** AZ-15 (with `consentPage`): once the user approved one client, any other client gets its code at once, without a page. */
  | 'consent-shared-across-clients'
  /** AZ-16 (with `consentPage`): the login and consent POST is answered 307, which repeats the POST, password included, at the client. */
  | 'login-post-307'
  /** AZ-01 (and so AZ-02, whose variants are unregistered URIs too): a valid request gets its code at any redirect_uri; errors still go only to registered ones. */
  | 'unregistered-redirect-accepted'
  /** AZ-02: a redirect_uri that begins with a registered one matches it (extra path, query, trailing slash, `/../`). */
  | 'redirect-prefix-match'
  /** AZ-02 (high): the query of the presented redirect_uri is ignored in the comparison. */
  | 'redirect-ignores-query'
  /** AZ-02: http matches a registered https redirect URI. */
  | 'redirect-scheme-ignored'
  /** AZ-02: any port matches, on any host (RFC 8252 §7.3's loopback latitude applied to every host). */
  | 'redirect-port-ignored'
  /**
   * Not a failure of AZ-02, which must only report it: a loopback redirect must match with the
   * registered port exactly, against RFC 8252 §7.3 (it breaks native clients, it endangers no one).
   */
  | 'loopback-port-exact'
  /** AZ-03: an unknown client_id is answered with an `invalid_client` redirect when the redirect_uri is registered for any client (checked against every client's URIs, not the requesting one's). */
  | 'unknown-client-redirects'
  /** AZ-04: a request without code_challenge is accepted (the code has no PKCE). */
  | 'pkce-optional'
  /** AZ-05: code_challenge_method=plain is accepted. */
  | 'plain-pkce-accepted'
  /** AZ-05: a challenge without code_challenge_method is accepted, as plain (RFC 7636 §4.3's default). */
  | 'method-defaults-to-plain'
  /** AZ-06: an S256 challenge of any length and alphabet is accepted. */
  | 'malformed-challenge-accepted'
  /** AZ-07: error redirects carry no `state`. */
  | 'error-redirect-without-state'
  /** AZ-07: error redirects carry no `iss` (though the metadata says they do). */
  | 'error-redirect-without-iss'
  /** AZ-08: any absolute http(s) resource without a fragment is accepted, not only the target's. */
  | 'foreign-resource-accepted'
  /** AZ-09: response_type=token is answered with an access token in the fragment (the implicit grant). */
  | 'token-response-type-accepted'
  /** AZ-10: a repeated parameter is not refused: its first value is used. */
  | 'duplicate-parameters-accepted'
  /** AZ-11 (with `consentPage`): the page sends neither CSP frame-ancestors nor X-Frame-Options. */
  | 'consent-page-frameable'
  /** AZ-11 (with `consentPage`): the page is sent without `Cache-Control: no-store`. */
  | 'consent-page-cacheable'
  /** AZ-12 (with `consentPage`): the client's name is written into the page as it was registered, unescaped. */
  | 'client-name-unescaped'
  /** AZ-13: a valid request is sent straight to an upstream identity provider (as the target's one static client), with no page of its own. */
  | 'fresh-client-sent-upstream'
  /** AZ-17: the other parameters are checked before the redirect URI, so their errors are redirected to an unvalidated redirect_uri. */
  | 'error-redirects-to-unregistered-uri';

// Forms a correct target may take that are not flaws (see TargetOptions in target-state.ts).
declare module '../target-state.js' {
  interface TargetOptions {
    /**
     * With `consentPage`: the page is shown once the client and redirect URI are validated, and
     * every other parameter is checked only when it is submitted, after the login (as a server
     * may: the AZ-04..10 probes are then inconclusive without a login, never passed).
     */
    readonly checksAfterLogin?: boolean;
    /**
     * With `consentPage`: the user signs in first on a login page of its own, which names no
     * client and posts to /login (a session cookie, as with `sessionLogin`); the consent page,
     * with a CSRF token and no password, comes after it.
     */
    readonly loginFirst?: boolean;
    /** A parameter found wrong when the login and consent form is submitted is answered with an error page (400), not an error redirect. */
    readonly errorPageAfterLogin?: boolean;
  }
  interface TargetClient {
    /** The registered `client_name`, when the registration endpoint keeps it. */
    readonly clientName?: string | undefined;
  }
}

const SUPPORTED_SCOPES = new Set(['mcp:tools']);
/** Where the upstream identity provider of `fresh-client-sent-upstream` is (never reached: `.invalid`). */
const UPSTREAM = 'https://idp.invalid/authorize';

/** A loopback http redirect URI without its port, compared as a string otherwise; undefined for any other URI. */
function withoutLoopbackPort(uri: string): string | undefined {
  const parts = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::\d{1,5})?([/?][^#]*)?$/.exec(uri);
  return parts === null ? undefined : `http://${parts[1]}${parts[2] ?? ''}`;
}

/** A URI without its port, for `redirect-port-ignored`. */
function withoutPort(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#:]+):\d+/i, '$1');
}

/** OAuth 2.1 §2.3.1: an exact string match, but for the port of a loopback redirect (RFC 8252 §7.3); the flaws loosen it. */
function redirectMatches(state: TargetState, presented: string, registered: string): boolean {
  if (presented === registered) return true;
  if (has(state, 'redirect-prefix-match') && presented.startsWith(registered)) return true;
  if (has(state, 'redirect-ignores-query') && presented.split('?')[0] === registered) return true;
  if (has(state, 'redirect-scheme-ignored') && presented.replace(/^http:/, 'https:') === registered) return true;
  if (has(state, 'redirect-port-ignored') && withoutPort(presented) === withoutPort(registered)) return true;
  if (has(state, 'loopback-port-exact')) return false;
  const loopback = withoutLoopbackPort(presented);
  return loopback !== undefined && loopback === withoutLoopbackPort(registered);
}

const isRegisteredFor = (state: TargetState, client: TargetClient, presented: string) =>
  client.redirectUris.some((uri) => redirectMatches(state, presented, uri));

/** Sends the browser back to the client with `fields`, plus `state` and `iss` (RFC 6749 §4.1.2; RFC 9207 §2). */
function answerClient(
  state: TargetState,
  params: URLSearchParams,
  presented: string,
  fields: Record<string, string>,
  response: ServerResponse,
  status = 302,
): void {
  const isError = 'error' in fields;
  const target = new URL(presented);
  for (const [name, value] of Object.entries(fields)) target.searchParams.set(name, value);
  const stateParam = params.get('state');
  if (stateParam !== null && !(isError && has(state, 'error-redirect-without-state'))) target.searchParams.set('state', stateParam);
  if (!(isError && has(state, 'error-redirect-without-iss'))) target.searchParams.set('iss', state.origin);
  redirect(response, target.href, status);
}

/** The first problem of the parameters other than client_id and redirect_uri, in the order a server checks them. */
function parameterProblem(state: TargetState, params: URLSearchParams, repeated: readonly string[]): { error: string; description: string } | undefined {
  const others = repeated.filter((name) => name !== 'client_id' && name !== 'redirect_uri');
  if (others.length > 0) return { error: 'invalid_request', description: `${others[0]} is repeated` };
  const responseType = params.get('response_type');
  if (responseType !== 'code' && !(responseType === 'token' && has(state, 'token-response-type-accepted')))
    return { error: 'unsupported_response_type', description: 'only code' };
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method') ?? (has(state, 'method-defaults-to-plain') ? 'plain-by-default' : null);
  if (challenge === null) {
    if (!has(state, 'pkce-optional')) return { error: 'invalid_request', description: 'code_challenge is required' };
  } else if (method === 'plain' ? !has(state, 'plain-pkce-accepted') : method !== 'S256' && method !== 'plain-by-default') {
    return { error: 'invalid_request', description: 'code_challenge_method must be S256' };
  } else if (method === 'S256' && !/^[A-Za-z0-9_-]{43}$/.test(challenge) && !has(state, 'malformed-challenge-accepted')) {
    return { error: 'invalid_request', description: 'malformed code_challenge' };
  } else if (method !== 'S256' && !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) {
    return { error: 'invalid_request', description: 'malformed plain code_challenge' };
  }
  const resource = params.get('resource') ?? `${state.origin}/mcp`;
  const acceptable = has(state, 'foreign-resource-accepted')
    ? URL.canParse(resource) && /^https?:$/.test(new URL(resource).protocol) && !resource.includes('#')
    : resource === `${state.origin}/mcp`;
  if (!acceptable) return { error: 'invalid_target', description: 'unknown resource' };
  const scope = params.get('scope') ?? 'mcp:tools';
  if (scope.split(' ').some((s) => !SUPPORTED_SCOPES.has(s) && s !== state.options.extraScope)) return { error: 'invalid_scope', description: 'unknown scope' };
  return undefined;
}

/**
 * GET /authorize: the client and redirect URI first (an error page, never a redirect, when either
 * is wrong: RFC 6749 §4.1.2.1), then every other parameter (an error redirect with `state` and
 * `iss`), then a code at once: the target has no users, it approves every valid request. With
 * `consentPage`, a login and consent page instead of the code.
 */
export function handleAuthorize(state: TargetState, url: URL, response: ServerResponse, cookie?: string): void {
  const params = url.searchParams;
  const repeated = has(state, 'duplicate-parameters-accepted') ? [] : [...new Set(params.keys())].filter((name) => params.getAll(name).length > 1);
  const client = state.clients.get(params.get('client_id') ?? '');
  const presented = params.get('redirect_uri') ?? (client?.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
  if (presented === undefined || !URL.canParse(presented)) return sendErrorPage(response, 400, 'The request has no usable redirect URI.');
  if (client === undefined || repeated.includes('client_id')) {
    const anyClients = [...state.clients.values()].some((other) => isRegisteredFor(state, other, presented));
    if (has(state, 'unknown-client-redirects') && anyClients) return answerClient(state, params, presented, { error: 'invalid_client' }, response);
    return sendErrorPage(response, 400, 'Unknown client.');
  }
  const refuseRedirect = () => sendErrorPage(response, 400, 'The redirect URI is not registered for this client.');
  if (repeated.includes('redirect_uri')) return sendErrorPage(response, 400, 'The redirect URI is repeated.');
  const redirectValid = isRegisteredFor(state, client, presented);
  if (state.options.consentPage) {
    if (!redirectValid) return refuseRedirect();
    const problem = state.options.checksAfterLogin ? undefined : parameterProblem(state, params, repeated);
    if (problem !== undefined) return answerClient(state, params, presented, problem, response);
    if (has(state, 'consent-shared-across-clients') && approvals.has(state)) return approve(state, client, params, presented, response);
    const session = sessionOf(state, cookie);
    if (session !== undefined) return sendConsentPage(state, client, params, presented, response, csrfTokenFor(session));
    if (state.options.loginFirst === true) return sendLoginPage(state, `${url.pathname}${url.search}`, response);
    return sendConsentPage(state, client, params, presented, response);
  }
  if (!redirectValid && !has(state, 'error-redirects-to-unregistered-uri') && !has(state, 'unregistered-redirect-accepted')) return refuseRedirect();
  const problem = parameterProblem(state, params, repeated);
  if (problem !== undefined) {
    if (!redirectValid && !has(state, 'error-redirects-to-unregistered-uri')) return refuseRedirect();
    return answerClient(state, params, presented, problem, response);
  }
  if (!redirectValid && !has(state, 'unregistered-redirect-accepted')) return refuseRedirect();
  approve(state, client, params, presented, response);
}

/** A valid request, approved: a code (or, under its flaws, a token, or a trip upstream). */
function approve(state: TargetState, client: TargetClient, params: URLSearchParams, presented: string, response: ServerResponse, status = 302): void {
  if (has(state, 'fresh-client-sent-upstream')) {
    const upstream = new URL(UPSTREAM);
    upstream.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'audit-target-static-client',
      redirect_uri: `${state.origin}/upstream/callback`,
      state: randomBytes(16).toString('base64url'),
    }).toString();
    return redirect(response, upstream.href);
  }
  if (params.get('response_type') === 'token') {
    const token = randomBytes(32).toString('base64url');
    state.issuedSecrets.push(token);
    const target = new URL(presented);
    target.hash = new URLSearchParams({ access_token: token, token_type: 'Bearer', state: params.get('state') ?? '' }).toString();
    return redirect(response, target.href);
  }
  const code = randomBytes(32).toString('base64url');
  state.issuedSecrets.push(code);
  const method = params.get('code_challenge_method');
  state.codes.set(code, {
    clientId: client.clientId,
    redirectUri: presented,
    codeChallenge: params.get('code_challenge') ?? undefined,
    codeChallengeMethod: params.get('code_challenge') === null ? undefined : (method ?? 'plain'),
    resource: params.get('resource') ?? `${state.origin}/mcp`,
    scope: params.get('scope') ?? 'mcp:tools',
    expiresAt: state.now() + 60,
    used: false,
    issued: [],
  });
  answerClient(state, params, presented, { code }, response, status);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The headers RFC 9700 asks of a login or consent page: not framable, no referrer, not stored (unless a flaw says otherwise). */
function pageHeaders(state: TargetState): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; form-action 'self'${has(state, 'consent-page-frameable') ? '' : "; frame-ancestors 'none'"}`,
    'referrer-policy': 'no-referrer',
    'cache-control': has(state, 'consent-page-cacheable') ? 'private, max-age=600' : 'no-store',
  };
  if (!has(state, 'consent-page-frameable')) headers['x-frame-options'] = 'DENY';
  return headers;
}

/** The login page of `loginFirst`: a user name and a password, and where to go back to; no client named. */
function sendLoginPage(state: TargetState, returnTo: string, response: ServerResponse): void {
  response.writeHead(200, pageHeaders(state));
  response.end(`<!doctype html>
<title>Sign in</title>
<h1>Sign in</h1>
<form method="post" action="/login">
<input type="hidden" name="return_to" value="${escapeHtml(returnTo)}">
<label>User name <input name="username" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>`);
}

/**
 * POST /login (with `loginFirst`): any user name and password but empty ones sign in (a session
 * cookie), and the browser goes back to the authorization request; the login page again otherwise.
 */
export function handleLogin(state: TargetState, form: URLSearchParams, response: ServerResponse): void {
  const returnTo = form.get('return_to') ?? '';
  if (!returnTo.startsWith('/authorize?')) return sendErrorPage(response, 400, 'Nowhere to go back to.');
  if ((form.get('username') ?? '') === '' || (form.get('password') ?? '') === '') return sendLoginPage(state, returnTo, response);
  const id = randomBytes(16).toString('base64url');
  sessionsOf(state).add(id);
  response.setHeader('set-cookie', `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
  redirect(response, returnTo, 303);
}

/**
 * The login and consent page of `consentPage`: who asks (the client's name, escaped), where the
 * user will be sent (the redirect URI's host), the scopes, and one form posting the request back
 * with a user name, a password and an approve or deny button. Sent with the headers RFC 9700
 * asks of such a page: not framable, no referrer, not stored.
 */
function sendConsentPage(state: TargetState, client: TargetClient, params: URLSearchParams, presented: string, response: ServerResponse, csrf?: string): void {
  const name = client.clientName ?? client.clientId;
  const shownName = has(state, 'client-name-unescaped') ? name : escapeHtml(name);
  const hidden = [...params].map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`).join('\n');
  const scopes = (params.get('scope') ?? 'mcp:tools')
    .split(' ')
    .map((scope) => `<li>${escapeHtml(scope)}</li>`)
    .join('');
  response.writeHead(200, pageHeaders(state));
  response.end(`<!doctype html>
<title>Sign in to approve</title>
<h1>Sign in to let ${shownName} use your account</h1>
<p>After you approve, you will be sent to <strong>${escapeHtml(new URL(presented).host)}</strong>.</p>
<p>It asks for:</p><ul>${scopes}</ul>
<form method="post" action="/authorize">
${hidden}
${
  csrf === undefined
    ? '<label>User name <input name="username" autocomplete="username"></label>\n<label>Password <input type="password" name="password" autocomplete="current-password"></label>'
    : `<input type="hidden" name="csrf_token" value="${csrf}">`
}
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="approve">Approve</button>
</form>`);
}

/** Targets on which the user approved some client (the `consent-shared-across-clients` flaw remembers that, and nothing more). */
const approvals = new WeakSet<TargetState>();

/**
 * POST /authorize (with `consentPage`): the page's login and decision. The user name and password
 * may be anything but empty (the target has no user store); the request's parameters come back
 * as the page's hidden fields and are checked again, as a server must.
 */
export function handleConsentDecision(state: TargetState, form: URLSearchParams, response: ServerResponse, cookie?: string): void {
  const params = new URLSearchParams([...form].filter(([name]) => !['username', 'password', 'decision', 'csrf_token'].includes(name)));
  const client = state.clients.get(params.get('client_id') ?? '');
  const presented = params.get('redirect_uri') ?? client?.redirectUris[0];
  if (client === undefined || presented === undefined || !isRegisteredFor(state, client, presented))
    return sendErrorPage(response, 400, 'Unknown client or redirect URI.');
  const session = sessionOf(state, cookie);
  const signedIn = (form.get('username') ?? '') !== '' && (form.get('password') ?? '') !== '';
  if (!signedIn) {
    // A decision without the password: only with the session it was shown to, and its CSRF token (RFC 6749 §10.12).
    if (session === undefined) return sendConsentPage(state, client, params, presented, response);
    if (!has(state, 'consent-without-csrf') && form.get('csrf_token') !== csrfTokenFor(session))
      return sendErrorPage(response, 403, 'The form is out of date: go back and try again.');
  } else if (state.options.sessionLogin === true && session === undefined) {
    const id = randomBytes(16).toString('base64url');
    sessionsOf(state).add(id);
    response.setHeader('set-cookie', `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
  }
  if (form.get('decision') !== 'approve')
    return answerClient(state, params, presented, { error: 'access_denied', error_description: 'the user said no' }, response, 303);
  // The form carries the request's parameters as they came, a repeated one twice: checked as on GET.
  const repeated = has(state, 'duplicate-parameters-accepted') ? [] : [...new Set(params.keys())].filter((name) => params.getAll(name).length > 1);
  const problem = parameterProblem(state, params, repeated);
  if (problem !== undefined && state.options.errorPageAfterLogin === true) return sendErrorPage(response, 400, problem.description);
  if (problem !== undefined) return answerClient(state, params, presented, problem, response, 303);
  approvals.add(state);
  approve(state, client, params, presented, response, has(state, 'login-post-307') ? 307 : 303);
}

const sessions = new WeakMap<TargetState, Set<string>>();
function sessionsOf(state: TargetState): Set<string> {
  let ids = sessions.get(state);
  if (ids === undefined) {
    ids = new Set();
    sessions.set(state, ids);
  }
  return ids;
}

/** The session the request's `sid` cookie names, when it is one this target made (with `sessionLogin` or `loginFirst`). */
function sessionOf(state: TargetState, cookie: string | undefined): string | undefined {
  if (state.options.sessionLogin !== true && state.options.loginFirst !== true) return undefined;
  const id = /(?:^|;\s*)sid=([^;]+)/.exec(cookie ?? '')?.[1];
  return id !== undefined && sessionsOf(state).has(id) ? id : undefined;
}

/** The CSRF token of a session's forms: derived from it, so a page of one session is no use in another. */
function csrfTokenFor(session: string): string {
  return createHash('sha256').update(`csrf:${session}`).digest('base64url');
}
