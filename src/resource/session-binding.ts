import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../core/constant-time.js';
import type { Keyring } from '../core/seal.js';
import { jsonRpcErrorResponse, SESSION_NOT_FOUND_CODE } from './json-rpc-error.js';
import type { VerifiedIdentity } from './types.js';

/**
 * Binds an MCP session to the user who opened it, statelessly, so any gateway instance holding
 * the master secret can check it: the client sees `<upstream session id>.<mac>`, where the MAC
 * covers the user, the client and the upstream id. A request whose session id was not bound to
 * the caller gets the same 404 "Session not found" as an unknown session, so a hijacker cannot
 * even learn that a session exists.
 *
 * The binding covers `client_id` as well as `sub`: the requirement is the user, but a session
 * also carries server-to-client traffic (sampling, elicitation on the GET stream) meant for the
 * client that opened it, and a legitimate client always presents its own tokens. A rotated master
 * secret ends open sessions (the client gets 404 and, as the transport requires, starts a new one).
 * @see MCP Security Best Practices, "Session Hijacking" (bind session IDs to user-specific information)
 * @see MCP Basic, Transports, "Session Management" (session ids are visible ASCII; 404 means start a new session)
 */

/** The `Keyring.deriveKey` purpose (HKDF info label) of the session-binding HMAC key. */
export const SESSION_BINDING_KEY_PURPOSE = 'mcp-session-binding';
/** HMAC-SHA256 output, base64url: 43 characters. */
const MAC_LENGTH = 43;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export interface SessionBinding {
  /** The session id to give the client for the upstream's `Mcp-Session-Id`. Throws if the upstream's id is not visible ASCII. */
  bindSessionId(upstreamSessionId: string, identity: Pick<VerifiedIdentity, 'subject' | 'clientId'>): string;
  /** The upstream's session id, or null when `clientSessionId` is malformed or was bound to another user or client. */
  unbindSessionId(clientSessionId: string, identity: Pick<VerifiedIdentity, 'subject' | 'clientId'>): string | null;
}

/** Session binding keyed from the current master secret (HKDF, `SESSION_BINDING_KEY_PURPOSE`). */
export function createSessionBinding(keyring: Pick<Keyring, 'deriveKey'>): SessionBinding {
  const key = keyring.deriveKey(SESSION_BINDING_KEY_PURPOSE);

  // JSON keeps the fields unambiguous whatever characters a subject holds.
  const mac = (upstreamSessionId: string, identity: Pick<VerifiedIdentity, 'subject' | 'clientId'>): Buffer =>
    createHmac('sha256', key)
      .update(JSON.stringify(['v1', identity.subject, identity.clientId, upstreamSessionId]))
      .digest();

  return {
    bindSessionId(upstreamSessionId, identity) {
      if (!VISIBLE_ASCII.test(upstreamSessionId)) throw new TypeError('the upstream session id is not visible ASCII');
      return `${upstreamSessionId}.${mac(upstreamSessionId, identity).toString('base64url')}`;
    },
    unbindSessionId(clientSessionId, identity) {
      const dot = clientSessionId.lastIndexOf('.');
      if (dot <= 0 || !VISIBLE_ASCII.test(clientSessionId)) return null;
      const upstreamSessionId = clientSessionId.slice(0, dot);
      const presented = clientSessionId.slice(dot + 1);
      if (presented.length !== MAC_LENGTH) return null;
      // Compare the text, not decoded bytes: base64url's last character has spare bits, so decoding
      // would accept several spellings of one MAC.
      return constantTimeEqual(presented, mac(upstreamSessionId, identity).toString('base64url')) ? upstreamSessionId : null;
    },
  };
}

/**
 * The answer to a session id that does not unbind: the body the MCP SDK's transport answers for
 * an unknown session (404, JSON-RPC error -32001), so the two cannot be told apart.
 */
export function sessionNotFoundResponse(): Response {
  return jsonRpcErrorResponse(404, { code: SESSION_NOT_FOUND_CODE, message: 'Session not found' });
}
