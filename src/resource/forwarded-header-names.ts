import { CLIENT_ID_HEADER, IDENTITY_HEADER, SCOPE_HEADER, SUBJECT_HEADER } from './identity-headers.js';

/**
 * Which of the client's header names the gateway passes upstream, judged the way the upstream
 * will read them. CGI turns a header name into a variable by upper-casing it and replacing `-`
 * with `_` (RFC 3875 §4.1.18), so `X_Portcullis_Subject` and `X-Portcullis-Subject` both become
 * `HTTP_X_PORTCULLIS_SUBJECT`, and duplicates are joined with a comma; WSGI (PEP 3333), Rack and
 * PHP inherit that, and Apache httpd's `http2env` maps every non-alphanumeric character to `_`.
 * A client could therefore reach a header the gateway sets or drops by spelling it differently;
 * every rule below compares the folded name, so no spelling gets through. nginx, by default,
 * drops every header with an underscore (`underscores_in_headers off`); the gateway drops only
 * the spellings that collide with a name it owns, so a client's own `X_Tenant` still passes.
 */

/** Identity headers are the gateway's to set; any a client sent would be forged. */
export const GATEWAY_HEADER_PREFIX = 'x-portcullis-';

/**
 * Hop-by-hop headers (dropped both ways, with those named in `Connection`) and framing the proxy
 * sets itself.
 * @see RFC 9110 §7.6.1 (Connection), RFC 9112 §6.1 (Transfer-Encoding), RFC 9110 §10.1.1 (Expect)
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'host',
  'content-length',
  'expect',
  'http2-settings',
]);

/** Never sent upstream: the client's credentials (docs/design.md invariant 9, no token passthrough); `Proxy-*` goes by its prefix. */
export const CLIENT_CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie']);

/**
 * Names the gateway owns: the client's credentials, HTTP framing, MCP's session state (which the
 * gateway unbinds and sets, so a second spelling could smuggle another session past the binding),
 * and the identity headers. A configured upstream-token header may be none of these.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'host',
  'connection',
  'content-length',
  'content-type',
  'transfer-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
  'accept',
  SUBJECT_HEADER,
  CLIENT_ID_HEADER,
  SCOPE_HEADER,
  IDENTITY_HEADER,
]);

/**
 * A header name as an upstream that folds names may read it: lower case, every character other
 * than a letter or digit read as `-` (`X_Portcullis_Subject` → `x-portcullis-subject`).
 */
export function foldHeaderName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '-');
}

/**
 * Whether a client's header (name already lower-cased, as web `Headers` give it) is dropped on
 * the way upstream. After folding: hop-by-hop and `Connection`-named headers, credentials,
 * `Proxy-*`, `X-Portcullis-*`, and `alsoOwned` (the upstream-token header) are always dropped;
 * a reserved header the gateway keeps (`Mcp-Session-Id`, `Content-Type`, `Accept`, …) passes
 * only under its own spelling.
 * @see RFC 3875 §4.1.18; docs/design.md invariant 9
 */
export function isDroppedClientHeader(name: string, connectionOptions: ReadonlySet<string>, alsoOwned: ReadonlySet<string>): boolean {
  const folded = foldHeaderName(name);
  if (HOP_BY_HOP_HEADERS.has(folded) || CLIENT_CREDENTIAL_HEADERS.has(folded) || alsoOwned.has(folded)) return true;
  if (connectionOptions.has(name) || folded.startsWith('proxy-') || folded.startsWith(GATEWAY_HEADER_PREFIX)) return true;
  return folded !== name && RESERVED_HEADERS.has(folded);
}
