/** scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). @see RFC 6749 §3.3 */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Parses a space-delimited scope string into a sorted set of unique tokens; null if malformed. */
export function parseScope(scope: string | undefined | null): string[] | null {
  if (scope === undefined || scope === null || scope === '') return [];
  const tokens = scope.split(' ');
  if (tokens.some((t) => !SCOPE_TOKEN.test(t))) return null;
  return [...new Set(tokens)].sort();
}

export function formatScope(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

export function isScopeSubset(requested: readonly string[], allowed: readonly string[]): boolean {
  const allowedSet = new Set(allowed);
  return requested.every((s) => allowedSet.has(s));
}
