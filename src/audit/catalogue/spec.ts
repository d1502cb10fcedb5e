import type { SpecReference } from '../check-definition.js';

/**
 * Builders of specification references, so each catalogue row names a section the same way:
 * `RFC7636-4.6` for RFC 7636 §4.6, `OAUTH21-4.1.1` for the OAuth 2.1 draft, `MCP-AUTH-<name>` and
 * `MCP-SBP-<name>` for a section of the MCP authorization specification (2026-07-28) and of its
 * security best practices page, `CIMD-6` for the Client ID Metadata Document draft.
 *
 * The MCP sections are a closed list of the headings those pages have (their anchors are what
 * the site generates from each heading: lower case, spaces to hyphens, `&` kept, parentheses
 * dropped), so a reference to a section that does not exist does not compile.
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

const MCP_SPEC = 'https://modelcontextprotocol.io/specification/2026-07-28';

/**
 * The MCP authorization specification (2026-07-28) is four pages: the overview
 * (basic/authorization) and three under it. Each section: its page (empty for the overview) and
 * its anchor.
 */
const MCP_AUTH_SECTIONS = {
  'client-registration': ['', 'client-registration'],
  'scope-selection': ['', 'scope-selection-strategy'],
  'response-validation': ['', 'authorization-response-validation'],
  'resource-parameter': ['', 'resource-parameter-implementation'],
  'canonical-uri': ['', 'canonical-server-uri'],
  'access-token-usage': ['', 'access-token-usage'],
  'token-requirements': ['', 'token-requirements'],
  'token-handling': ['', 'token-handling'],
  'refresh-tokens': ['', 'refresh-tokens'],
  'insufficient-scope': ['', 'runtime-insufficient-scope-errors'],
  'as-location': ['authorization-server-discovery', 'authorization-server-location'],
  'prm-discovery': ['authorization-server-discovery', 'protected-resource-metadata-discovery-requirements'],
  'as-discovery': ['authorization-server-discovery', 'authorization-server-metadata-discovery'],
  cimd: ['client-registration', 'client-id-metadata-documents'],
  'cimd-advertising': ['client-registration', 'advertising-cimd-support'],
  'pre-registration': ['client-registration', 'pre-registration'],
  dcr: ['client-registration', 'dynamic-client-registration'],
  'application-type': ['client-registration', 'application-type-and-redirect-uri-constraints'],
  'audience-binding': ['security-considerations', 'token-audience-binding-and-validation'],
  'token-theft': ['security-considerations', 'token-theft'],
  'communication-security': ['security-considerations', 'communication-security'],
  'code-protection': ['security-considerations', 'authorization-code-protection'],
  'mix-up': ['security-considerations', 'mix-up-attacks'],
  'open-redirection': ['security-considerations', 'open-redirection'],
  'cimd-security': ['security-considerations', 'client-id-metadata-document-security'],
  'cimd-ssrf': ['security-considerations', 'authorization-server-abuse-protection'],
  'confused-deputy': ['security-considerations', 'confused-deputy-problem'],
  'privilege-restriction': ['security-considerations', 'access-token-privilege-restriction'],
} as const satisfies Record<string, readonly [string, string]>;

export type McpAuthSection = keyof typeof MCP_AUTH_SECTIONS;

/** A section of the MCP authorization specification, revision 2026-07-28. */
export function mcpAuth(section: McpAuthSection): SpecReference {
  const [page, anchor] = MCP_AUTH_SECTIONS[section];
  return { id: `MCP-AUTH-${section}`, url: `${MCP_SPEC}/basic/authorization${page === '' ? '' : `/${page}`}#${anchor}` };
}

/** The sections of the MCP security best practices page (2026-07-28) the catalogue cites: name → anchor. */
const MCP_SBP_SECTIONS = {
  'confused-deputy': 'confused-deputy-problem',
  'consent-protections': 'required-protections',
  'token-passthrough': 'token-passthrough',
  ssrf: 'server-side-request-forgery-ssrf',
  'ssrf-authorization-servers': 'ssrf-against-authorization-servers',
  'state-handle-hijacking': 'state-handle-hijacking',
  'authorization-url-validation': 'oauth-authorization-url-validation',
  'scope-minimization': 'scope-minimization',
} as const satisfies Record<string, string>;

export type McpSecuritySection = keyof typeof MCP_SBP_SECTIONS;

/** A section of the MCP security best practices page (2026-07-28). */
export function mcpSecurity(section: McpSecuritySection): SpecReference {
  return {
    id: `MCP-SBP-${section}`,
    url: `https://modelcontextprotocol.io/docs/2026-07-28/tutorials/security/security_best_practices#${MCP_SBP_SECTIONS[section]}`,
  };
}

/** The Streamable HTTP transport's "Security & Endpoint" section: servers MUST validate `Origin` (403 when invalid). */
export const MCP_TRANSPORT_SECURITY: SpecReference = {
  id: 'MCP-HTTP-security',
  url: `${MCP_SPEC}/basic/transports/streamable-http#security-&-endpoint`,
};

/**
 * OAuth Client ID Metadata Documents, section `section`, in the draft MCP 2026-07-28 cites
 * (draft-ietf-oauth-client-id-metadata-document-00: later drafts renumber).
 */
export function clientIdMetadataDocument(section: string): SpecReference {
  return { id: `CIMD-${section}`, url: `https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-00#section-${section}` };
}

/** The CORS protocol of the Fetch standard. */
export const FETCH_CORS: SpecReference = { id: 'FETCH-CORS', url: 'https://fetch.spec.whatwg.org/#http-cors-protocol' };

/** A published vulnerability. */
export function cve(id: string): SpecReference {
  return { id, url: `https://nvd.nist.gov/vuln/detail/${id}` };
}
