import { isHttpsOrLoopbackHttp } from '../../core/plain-http.js';
import { MAX_CLIENT_METADATA_URL_LENGTH } from './client-metadata-schema.js';

/*
 * Client ID Metadata Documents: a client_id that is an https URL names a JSON document the client
 * hosts, and the authorization server fetches it instead of holding a registration.
 * Section numbers are those of draft-ietf-oauth-client-id-metadata-document-02, the revision the
 * MCP Authorization specification (2026-07-28, "Client Registration") points to.
 */

/** RFC 3986 §2 characters, without `#`: no fragment, no spaces, no backslash the URL parser would turn into `/`. */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=%]+$/;
/** scheme `://` non-empty authority, a path starting with `/`, an optional query. */
const URL_PARTS = /^(https?):\/\/([^/?]+)(\/[^?]*)(\?.*)?$/i;

function isDotSegment(segment: string): boolean {
  const decoded = segment.replace(/%2e/gi, '.');
  return decoded === '.' || decoded === '..';
}

/**
 * Whether a client_id is a Client Identifier URL (draft §3): `https`, no userinfo, a path that is
 * not just `/`, no single-dot or double-dot segments (percent-encoded dots included, since the URL
 * parser resolves them too), no fragment. A query and a port are allowed.
 * `dangerouslyAllowLoopbackHttp` also accepts `http` on a loopback host (tests, local development).
 * @see draft-ietf-oauth-client-id-metadata-document-02 §3
 */
export function isClientMetadataDocumentUrl(clientId: string, dangerouslyAllowLoopbackHttp = false): boolean {
  if (clientId.length > MAX_CLIENT_METADATA_URL_LENGTH || !URI_CHARACTERS.test(clientId)) return false;
  if (/%(?![0-9A-Fa-f]{2})/.test(clientId)) return false;
  const parts = URL_PARTS.exec(clientId);
  if (parts === null) return false;
  const authority = parts[2]!;
  const path = parts[3]!;
  if (authority.includes('@')) return false;
  if (path === '/' || path.split('/').some(isDotSegment)) return false;
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  if (url.hostname === '') return false;
  return dangerouslyAllowLoopbackHttp ? isHttpsOrLoopbackHttp(url) : url.protocol === 'https:';
}
