/**
 * Host names that mean "this machine". RFC 8252 §8.3 prefers the literal IPs; `localhost` is
 * accepted too because widely used MCP clients register it.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  return /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}
