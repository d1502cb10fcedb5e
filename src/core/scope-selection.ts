/** The scope that asks an OpenID-flavoured authorization server for a refresh token. @see OpenID Connect Core 1.0 §11 */
export const OFFLINE_ACCESS = 'offline_access';

function tokens(scope: string | readonly string[] | undefined | null): string[] {
  if (scope === undefined || scope === null) return [];
  return (typeof scope === 'string' ? scope.split(' ') : [...scope]).filter((s) => s !== '');
}

export interface ScopeSources {
  /** A scope the caller names for this authorization (a step-up's challenged scope); first when given. */
  asked?: string | undefined;
  /** The `scope` of the resource's latest `WWW-Authenticate` challenge. */
  challenge?: string | undefined;
  /** The protected-resource metadata's `scopes_supported`. */
  resourceScopesSupported?: readonly string[] | undefined;
  /** What the app configured for when neither the challenge nor the metadata says. */
  fallback?: string | undefined;
  /** Scope the user adds on top of the selected one (`portcullis login --scope`). */
  extra?: string | undefined;
  /** What the current grant from the same authorization server already holds (kept on re-authorization). */
  granted?: readonly string[] | undefined;
  /** The authorization server metadata's `scopes_supported`, when it publishes one. */
  authorizationServerScopesSupported?: readonly string[] | undefined;
  /** Whether the client wants refresh tokens (`refresh_token` among its `grant_types`). */
  wantsRefreshToken: boolean;
}

/**
 * The scope of an authorization request, in the MCP order: the scope asked for, else the
 * challenge's `scope`, else the resource's `scopes_supported`, else the app's fallback; then what
 * the user adds and what is already granted by this authorization server (a re-authorization
 * must not lose permissions other operations need). `offline_access` is added only when the
 * authorization server lists it in `scopes_supported` and the client wants refresh tokens, and
 * removed when the server publishes `scopes_supported` without it (asking for a scope it does
 * not support is an error). Empty means: send no `scope`.
 * @see MCP Authorization (2026-07-28) "Scope Selection Strategy", "Step-Up Authorization Flow"; SEP-2207 (refresh tokens); RFC 6749 §3.3
 */
export function selectAuthorizationScope(sources: ScopeSources): string[] {
  const asked = tokens(sources.asked);
  const challenge = tokens(sources.challenge);
  const resource = tokens(sources.resourceScopesSupported);
  const base = asked.length > 0 ? asked : challenge.length > 0 ? challenge : resource.length > 0 ? resource : tokens(sources.fallback);
  const selected = new Set([...tokens(sources.granted), ...base, ...tokens(sources.extra)]);
  const asSupported = sources.authorizationServerScopesSupported;
  if (asSupported !== undefined && !asSupported.includes(OFFLINE_ACCESS)) selected.delete(OFFLINE_ACCESS);
  if (asSupported?.includes(OFFLINE_ACCESS) === true && sources.wantsRefreshToken) selected.add(OFFLINE_ACCESS);
  return [...selected];
}
