import { computeS256Challenge } from '../core/pkce.js';
import { canonicalResource } from '../core/resource-uri.js';
import { selectAuthorizationScope } from '../core/scope-selection.js';
import { randomSecret } from '../core/secrets.js';
import type { Probe } from './probe.js';
import { NotReachedError } from './verdict.js';

/**
 * A valid authorization request (the baseline every negative probe differs from in exactly one
 * parameter), as ordered name–value pairs so a probe can drop, change or repeat one.
 */
export interface AuthorizationRequest {
  readonly endpoint: string;
  readonly parameters: readonly (readonly [string, string])[];
  readonly verifier: string;
  readonly state: string;
  readonly redirectUri: string;
}

/**
 * The baseline: code flow, PKCE S256 with a fresh verifier, a random `state`, the RFC 8707
 * `resource` of the target, and the scope an MCP client would ask for.
 * @see OAuth 2.1 §4.1.1; RFC 7636 §4.3; RFC 8707 §2; MCP Authorization (2026-07-28) "Scope Selection Strategy"
 */
export async function baselineAuthorizationRequest(probe: Probe, redirectUri?: string): Promise<AuthorizationRequest> {
  const { metadata } = await probe.fact('authorizationServer');
  const endpoint = metadata['authorization_endpoint'];
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) throw new NotReachedError('authorization', 'the metadata has no usable authorization_endpoint');
  const client = await probe.fact('client');
  const challenge = await probe.fact('challenge');
  const resourceMetadata = await probe.fact('resourceMetadata').catch(() => undefined);
  const scopesSupported = resourceMetadata?.document['scopes_supported'];
  const asScopes = metadata['scopes_supported'];
  const scope = selectAuthorizationScope({
    challenge: challenge.bearer?.['scope'],
    resourceScopesSupported: Array.isArray(scopesSupported) ? scopesSupported.filter((s): s is string => typeof s === 'string') : undefined,
    authorizationServerScopesSupported: Array.isArray(asScopes) ? asScopes.filter((s): s is string => typeof s === 'string') : undefined,
    wantsRefreshToken: true,
  });
  const verifier = randomSecret(32);
  const state = randomSecret(16);
  probe.remember(verifier);
  const target = redirectUri ?? client.redirectUri;
  const parameters: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', client.clientId],
    ['redirect_uri', target],
    ['code_challenge', computeS256Challenge(verifier)],
    ['code_challenge_method', 'S256'],
    ['state', state],
    ['resource', canonicalResource(probe.settings.target.href)],
  ];
  if (scope.length > 0) parameters.push(['scope', scope.join(' ')]);
  return { endpoint, parameters, verifier, state, redirectUri: target };
}

/** The request with parameter `name` set to `value` (added when absent), or removed when `value` is undefined. */
export function withParameter(request: AuthorizationRequest, name: string, value: string | undefined): AuthorizationRequest {
  const kept = request.parameters.filter(([key]) => key !== name);
  const parameters =
    value === undefined
      ? kept
      : request.parameters.some(([key]) => key === name)
        ? request.parameters.map(([key, v]) => [key, key === name ? value : v] as const)
        : [...kept, [name, value] as const];
  return { ...request, parameters, redirectUri: name === 'redirect_uri' && value !== undefined ? value : request.redirectUri };
}

/** The request with parameter `name` sent twice (the second time with `value`). */
export function withDuplicate(request: AuthorizationRequest, name: string, value: string): AuthorizationRequest {
  return { ...request, parameters: [...request.parameters, [name, value]] };
}

export function authorizationUrl(request: AuthorizationRequest): URL {
  const url = new URL(request.endpoint);
  for (const [name, value] of request.parameters) url.searchParams.append(name, value);
  return url;
}
