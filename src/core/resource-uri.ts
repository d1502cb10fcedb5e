/**
 * Checks an RFC 8707 resource indicator: an absolute URI without a fragment. Returns the value
 * unchanged when valid, null otherwise. Comparison against known resources is exact
 * (MCP Authorization "Canonical Server URI").
 * @see RFC 8707 §2
 */
export function parseResourceIndicator(value: string): string | null {
  if (value.includes('#')) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return value;
  } catch {
    return null;
  }
}

/**
 * The canonical form we compare resources in: the URL parser's form without a trailing slash
 * on an empty path, so `https://mcp.example.com` and `https://mcp.example.com/` are one
 * resource (MCP Authorization "Canonical Server URI" recommends the form without the slash).
 */
export function canonicalResource(value: string): string {
  const url = new URL(value);
  const href = url.href;
  // Only a bare trailing slash: `https://a.example/?` must not lose its `?` in place of the slash.
  return url.pathname === '/' && url.search === '' && url.hash === '' && href.endsWith('/') ? href.slice(0, -1) : href;
}

/**
 * The configured resource a `resource` parameter names, or undefined: the value must be a valid
 * resource indicator, and it is compared with the configured URIs (kept canonical) in canonical
 * form, so `https://mcp.example.com/` names the resource `https://mcp.example.com`.
 * @see RFC 8707 §2; MCP Authorization (2026-07-28) "Canonical Server URI"
 */
export function findResource<Resource extends { readonly uri: string }>(
  configured: { readonly resources: readonly Resource[] },
  value: string,
): Resource | undefined {
  if (parseResourceIndicator(value) === null) return undefined;
  const canonical = canonicalResource(value);
  return configured.resources.find((r) => r.uri === canonical);
}
