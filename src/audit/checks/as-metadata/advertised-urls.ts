/**
 * The URLs a metadata document hands to clients, named by the member that holds them. An
 * `endpoint` is one a client sends requests to (or fetches keys from); a `page` is one shown to
 * a person (documentation, policy, terms). Both are what a hostile server would fill with an
 * internal address or a shell payload.
 * @see RFC 8414 §2; RFC 9728 §2; OpenID Connect Discovery 1.0 §3
 */
export interface AdvertisedUrl {
  /** The member, as a report names it: `token_endpoint`, `authorization_servers[0]`, `mtls_endpoint_aliases.token_endpoint`. */
  readonly name: string;
  /** The value exactly as the document has it (not parsed: the characters matter to ASM-07). */
  readonly value: string;
  readonly kind: 'endpoint' | 'page';
}

/** Members that name a page for people rather than an endpoint, in either kind of metadata. */
const PAGES = /^(service_documentation|op_policy_uri|op_tos_uri|resource_documentation|resource_policy_uri|resource_tos_uri|logo_uri)$/;
/** A member that holds a URL: `*_endpoint`, `*_uri`, `*_documentation`, and OIDC's `check_session_iframe`. */
const URL_MEMBER = /(_endpoint|_uri|_documentation|^check_session_iframe)$/;

/** A member's name as a report shows it: as it is when it is a plain name, JSON-quoted otherwise (a hostile document may put anything in a key). */
function nameOf(prefix: string, name: string): string {
  return /^[\w.-]+$/.test(name) ? `${prefix}${name}` : `${prefix}${JSON.stringify(name.slice(0, 60))}`;
}

function membersOf(document: Readonly<Record<string, unknown>>, prefix: string): AdvertisedUrl[] {
  const found: AdvertisedUrl[] = [];
  for (const [name, value] of Object.entries(document)) {
    if (typeof value === 'string' && URL_MEMBER.test(name)) found.push({ name: nameOf(prefix, name), value, kind: PAGES.test(name) ? 'page' : 'endpoint' });
  }
  return found;
}

/** Every URL of an authorization server's metadata, its `issuer` excepted, with the RFC 8705 `mtls_endpoint_aliases`. */
export function authorizationServerUrls(metadata: Readonly<Record<string, unknown>>): AdvertisedUrl[] {
  const found = membersOf(metadata, '');
  const aliases = metadata['mtls_endpoint_aliases'];
  if (typeof aliases === 'object' && aliases !== null && !Array.isArray(aliases)) {
    found.push(...membersOf(aliases as Record<string, unknown>, 'mtls_endpoint_aliases.'));
  }
  return found;
}

/** Every URL of a protected resource's metadata: its `authorization_servers` and URL members (`resource` itself excepted). */
export function resourceMetadataUrls(document: Readonly<Record<string, unknown>>): AdvertisedUrl[] {
  const found: AdvertisedUrl[] = [];
  const servers = document['authorization_servers'];
  if (Array.isArray(servers)) {
    servers.forEach((server, index) => {
      if (typeof server === 'string') found.push({ name: `authorization_servers[${index}]`, value: server, kind: 'endpoint' });
    });
  }
  return [...found, ...membersOf(document, '')];
}

/** A value as a summary may show it: JSON-quoted (control characters escaped, never written raw to a terminal) and cut. */
export function shown(value: string, length = 80): string {
  return JSON.stringify(value.length > length ? `${value.slice(0, length)}…` : value);
}
