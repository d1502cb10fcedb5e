/**
 * Every CORS header set of the resource side, in one place. Browser-based MCP clients call the
 * MCP endpoint and fetch its metadata cross-origin, without credentials (bearer tokens travel in
 * `Authorization`, never in cookies), so any origin may: `*`, and never
 * `Access-Control-Allow-Credentials`. Each set lists what its responses carry, no more.
 * @see Fetch Standard, "CORS protocol"; MCP Authorization (2026-07-28), "Protected Resource Metadata Discovery Requirements"
 */

const ANY_ORIGIN = { 'Access-Control-Allow-Origin': '*' } as const;
/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = { 'Access-Control-Max-Age': '600' } as const;

/** A bearer refusal: the challenge is readable, so a client can find the metadata (RFC 9728 §5.1). */
export const BEARER_REFUSAL_CORS = { ...ANY_ORIGIN, 'Access-Control-Expose-Headers': 'WWW-Authenticate' } as const;

/** Every answer of the gateway's MCP endpoint: the session id and protocol version are readable too. */
export const MCP_ENDPOINT_CORS = { ...ANY_ORIGIN, 'Access-Control-Expose-Headers': 'Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate' } as const;

/** The preflight of the MCP endpoint: the methods and headers of the Streamable HTTP transport. */
export const MCP_ENDPOINT_PREFLIGHT_CORS = {
  ...MCP_ENDPOINT_CORS,
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID',
  ...PREFLIGHT_MAX_AGE,
} as const;

/** The RFC 9728 metadata document and its preflight (clients send `MCP-Protocol-Version`). */
export const METADATA_CORS = {
  ...ANY_ORIGIN,
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'MCP-Protocol-Version',
  ...PREFLIGHT_MAX_AGE,
} as const;
