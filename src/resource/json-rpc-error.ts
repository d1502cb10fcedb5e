/**
 * The one shape of a JSON-RPC error the resource side answers with itself (not the upstream's):
 * a JSON-RPC 2.0 error response outside any request (`id: null`), as the MCP SDK's Streamable
 * HTTP transport answers, so an MCP client shows its message; never cached.
 * @see JSON-RPC 2.0 §5, §5.1; MCP Basic, Transports, "Streamable HTTP"
 */

/** The MCP SDK's code for a transport-level failure: the request never reached a method. */
export const TRANSPORT_ERROR_CODE = -32000;
/** The MCP SDK's code for an unknown session (with 404). */
export const SESSION_NOT_FOUND_CODE = -32001;

export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/**
 * A JSON-RPC error as an HTTP response with `status`: `Content-Type: application/json` and
 * `Cache-Control: no-store` (an error is about this request only).
 * @see JSON-RPC 2.0 §5.1; RFC 9111 §5.2.2.5 (no-store)
 */
export function jsonRpcErrorResponse(status: number, error: JsonRpcErrorObject): Response {
  const body = { jsonrpc: '2.0', error, id: null };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

/**
 * A transport-level failure of the gateway (413, 502, 503, 504): code -32000, as the MCP SDK's
 * transports use for errors outside any method, with `data.reason` for programs.
 * @see MCP Basic, Transports, "Streamable HTTP"
 */
export function mcpTransportErrorResponse(status: number, message: string, reason: string): Response {
  return jsonRpcErrorResponse(status, { code: TRANSPORT_ERROR_CODE, message, data: { reason } });
}
