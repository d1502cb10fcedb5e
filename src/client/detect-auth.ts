import type { AuthDetection, FetchFunction } from './types.js';

/**
 * Probes an MCP server without credentials and says whether it needs OAuth and which
 * authorization server it uses.
 * @see MCP Authorization (2026-07-28) "Authorization Server Discovery"; RFC 9728 §5.1
 */
export async function detectAuth(url: string, options: { fetch?: FetchFunction } = {}): Promise<AuthDetection> {
  void url;
  void options;
  throw new Error('detectAuth: in progress');
}
