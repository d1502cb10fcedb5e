import type { McpOAuth, McpOAuthOptions } from './types.js';

/**
 * An `OAuthClientProvider` for one user and one MCP server with durable, sealed token storage.
 * @see MCP Authorization (2026-07-28)
 */
export function createMcpOAuth(options: McpOAuthOptions): McpOAuth {
  void options;
  throw new Error('createMcpOAuth: in progress');
}
