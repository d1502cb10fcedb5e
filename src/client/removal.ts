import type { ClientContext, RemovalResult } from './types.js';

/**
 * Revokes the user's tokens for one MCP server at its authorization server and deletes every row
 * kept for it (tokens, pending logins, refresh lease).
 * @see RFC 7009 §2
 */
export async function removeServer(context: ClientContext, userId: string, serverUrl: string): Promise<RemovalResult> {
  void context;
  void userId;
  void serverUrl;
  throw new Error('removeServer: in progress');
}

/** Revokes and deletes everything kept for the user, for every server. @see RFC 7009 §2 */
export async function removeUser(context: ClientContext, userId: string): Promise<RemovalResult> {
  void context;
  void userId;
  throw new Error('removeUser: in progress');
}
