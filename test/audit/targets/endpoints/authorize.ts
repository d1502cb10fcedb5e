import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { redirect, sendErrorPage } from '../http-helpers.js';
import type { TargetState } from '../target-state.js';

/** Flaws of the authorization endpoint (AZ-*). */
export type AuthorizeFlaw = never;

const SUPPORTED_SCOPES = new Set(['mcp:tools']);

/** RFC 8252 §7.3: a loopback redirect matches with any port; anything else exactly. */
function redirectMatches(presented: string, registered: string): boolean {
  if (presented === registered) return true;
  if (!URL.canParse(presented) || !URL.canParse(registered)) return false;
  const a = new URL(presented);
  const b = new URL(registered);
  const loopback = (url: URL) => url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
  if (!loopback(a) || !loopback(b)) return false;
  a.port = '';
  b.port = '';
  return a.href === b.href;
}

/**
 * GET /authorize: the client and redirect URI first (an error page, never a redirect, when either
 * is wrong: RFC 6749 §4.1.2.1), then every other parameter (an error redirect with `state` and
 * `iss`), then a code at once: the target has no users, it approves every valid request.
 */
export function handleAuthorize(state: TargetState, url: URL, response: ServerResponse): void {
  const params = url.searchParams;
  const client = state.clients.get(params.get('client_id') ?? '');
  if (client === undefined || params.getAll('client_id').length > 1) return sendErrorPage(response, 400, 'Unknown client.');
  const presented = params.get('redirect_uri') ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
  if (presented === undefined || params.getAll('redirect_uri').length > 1 || !client.redirectUris.some((uri) => redirectMatches(presented, uri))) {
    return sendErrorPage(response, 400, 'The redirect URI is not registered for this client.');
  }
  const answer = (fields: Record<string, string>) => {
    const target = new URL(presented);
    for (const [name, value] of Object.entries(fields)) target.searchParams.set(name, value);
    const stateParam = params.get('state');
    if (stateParam !== null) target.searchParams.set('state', stateParam);
    target.searchParams.set('iss', state.origin);
    redirect(response, target.href);
  };
  const refuse = (error: string, description: string) => answer({ error, error_description: description });
  for (const name of new Set(params.keys())) if (params.getAll(name).length > 1) return refuse('invalid_request', `${name} is repeated`);
  if (params.get('response_type') !== 'code') return refuse('unsupported_response_type', 'only code');
  const challenge = params.get('code_challenge');
  if (challenge === null || params.get('code_challenge_method') !== 'S256') return refuse('invalid_request', 'PKCE with S256 is required');
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return refuse('invalid_request', 'malformed code_challenge');
  const resource = params.get('resource') ?? `${state.origin}/mcp`;
  if (resource !== `${state.origin}/mcp`) return refuse('invalid_target', 'unknown resource');
  const scope = params.get('scope') ?? 'mcp:tools';
  if (scope.split(' ').some((s) => !SUPPORTED_SCOPES.has(s))) return refuse('invalid_scope', 'unknown scope');
  const code = randomBytes(32).toString('base64url');
  state.issuedSecrets.push(code);
  state.codes.set(code, {
    clientId: client.clientId,
    redirectUri: presented,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    resource,
    scope,
    expiresAt: state.now() + 60,
    used: false,
    issued: [],
  });
  answer({ code });
}
