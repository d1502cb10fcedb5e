/**
 * What the gateway reports for metrics, if it is given somewhere to report it. A small interface of
 * its own, so that `portcullis/resource` stays usable without prom-client: `serve` implements it
 * (src/metrics/gateway-metrics.ts); a middleware user may implement it with anything, or not at all.
 * Nothing passed here identifies a user, a client or a token.
 */
export interface GatewayMetrics {
  /** A request to the MCP endpoint (`mcp`) or to its RFC 9728 metadata (`metadata`) answered, with its status and time in seconds. */
  request(endpoint: 'mcp' | 'metadata', status: number, seconds: number): void;
  /** The upstream's response headers arrived, `seconds` after the request was sent. */
  upstreamResponded(seconds: number): void;
  /** The upstream failed a request, or answered it with a 5xx. */
  upstreamError(kind: UpstreamErrorKind): void;
  /** An event stream from the upstream started flowing to a client; call what it returns when the stream ends (once). */
  eventStreamOpened(): () => void;
  /** A lookup in the verified-token cache: `hit` when the token was trusted without a new check. */
  tokenCacheLookup(hit: boolean): void;
}

/**
 * Why an upstream request failed: refused (nothing listens), timeout (no answer in time), reset
 * (the connection broke, or the response stopped early), 5xx (the upstream answered with a server
 * error), unreachable (any other socket error: no such host, no route), invalid (an answer that is
 * not HTTP, or a request that could not be sent).
 */
export type UpstreamErrorKind = 'refused' | 'timeout' | 'reset' | '5xx' | 'unreachable' | 'invalid';
