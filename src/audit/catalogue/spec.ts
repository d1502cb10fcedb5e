import type { SpecReference } from '../check-definition.js';

/**
 * Builders of specification references, so each catalogue row names a section the same way:
 * `RFC7636-4.6` for RFC 7636 §4.6, `OAUTH21-4.1.1` for the OAuth 2.1 draft, `MCP-AUTH-<topic>`
 * and `MCP-SBP-<topic>` for the MCP authorization specification (2026-07-28) and its security best
 * practices page.
 */

/** RFC `number`, section `section` (omitted: the whole RFC). */
export function rfc(number: number, section?: string): SpecReference {
  const base = `https://www.rfc-editor.org/rfc/rfc${number}`;
  return section === undefined ? { id: `RFC${number}`, url: base } : { id: `RFC${number}-${section}`, url: `${base}#section-${section}` };
}

/** The OAuth 2.1 draft (draft-ietf-oauth-v2-1), section `section`. */
export function oauth21(section: string): SpecReference {
  return { id: `OAUTH21-${section}`, url: `https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-${section}` };
}

const MCP_AUTH = 'https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization';

/** The MCP authorization specification, revision 2026-07-28; `topic` names the section (`token-audience-binding`). */
export function mcpAuth(topic: string): SpecReference {
  return { id: `MCP-AUTH-${topic}`, url: `${MCP_AUTH}#${topic}` };
}

/** The MCP security best practices page; `topic` names the section (`confused-deputy-problem`). */
export function mcpSecurity(topic: string): SpecReference {
  return { id: `MCP-SBP-${topic}`, url: `https://modelcontextprotocol.io/specification/2026-07-28/basic/security_best_practices#${topic}` };
}

/** The MCP Streamable HTTP transport's security warning (servers MUST validate `Origin`). */
export const MCP_TRANSPORT_SECURITY: SpecReference = {
  id: 'MCP-TRANSPORT-security-warning',
  url: 'https://modelcontextprotocol.io/specification/2026-07-28/basic/transports#security-warning',
};

/** OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), section `section`. */
export function clientIdMetadataDocument(section: string): SpecReference {
  return { id: `CIMD-${section}`, url: `https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document#section-${section}` };
}

/** The CORS protocol of the Fetch standard. */
export const FETCH_CORS: SpecReference = { id: 'FETCH-CORS', url: 'https://fetch.spec.whatwg.org/#http-cors-protocol' };

/** A published vulnerability. */
export function cve(id: string): SpecReference {
  return { id, url: `https://nvd.nist.gov/vuln/detail/${id}` };
}
