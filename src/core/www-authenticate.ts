/**
 * Builds a `WWW-Authenticate` challenge: `Bearer k="v", …`. Values are quoted strings with `"`
 * and `\` escaped (RFC 9110 §11.2, RFC 6750 §3).
 */
export function buildChallenge(scheme: string, params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  return parts.length > 0 ? `${scheme} ${parts.join(', ')}` : scheme;
}

/** Parses the parameters of the first challenge with the given scheme; null if absent. */
export function parseChallenge(header: string, scheme = 'Bearer'): Record<string, string> | null {
  const start = header.search(new RegExp(`(^|,\\s*)${scheme}(\\s|$)`, 'i'));
  if (start === -1) return null;
  const rest = header.slice(start).replace(/^,?\s*\S+\s*/, '');
  const params: Record<string, string> = {};
  const pattern = /\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(,|$)/y;
  for (let match = pattern.exec(rest); match !== null; match = pattern.exec(rest)) {
    const key = match[1]!.toLowerCase();
    params[key] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    if (match[4] === '') break;
  }
  return params;
}
