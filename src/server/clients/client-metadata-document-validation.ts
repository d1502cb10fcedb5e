import { checkRedirectUri } from '../../core/redirect-uri.js';
import { parseScope } from '../../core/scopes.js';
import type { ClientRecord } from '../../store/types.js';
import { metadataDocumentRefusal as refuse } from './client-metadata-document-refusal.js';
import { clientMetadataIssue, metadataDocumentSchema } from './client-metadata-schema.js';

/** Whether a JWK Set holds private key material: `d` (RSA, EC, OKP) or `k` (symmetric). */
function holdsPrivateKey(jwks: unknown): boolean {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) return false;
  return (jwks as { keys: unknown[] }).keys.some((key) => typeof key === 'object' && key !== null && ('d' in key || 'k' in key));
}

/**
 * Validates a fetched document (its body as text) and turns it into the client it describes.
 * Throws OAuthError `invalid_client` (client-metadata-document-refusal.ts), reason `json` or `document`.
 * @see draft-ietf-oauth-client-id-metadata-document-02 §4, §4.1
 */
export function clientFromMetadataDocument(clientId: string, body: string, nowSeconds: number): ClientRecord {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw refuse('The client metadata document is not valid JSON.', 'json: parse failed');
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    // §4.1: no shared secret can exist with a public document, and no private key may be published.
    if ('client_secret' in json || 'client_secret_expires_at' in json) {
      throw refuse('The client metadata document must not contain a client secret.', 'document: client_secret present');
    }
    if (holdsPrivateKey((json as { jwks?: unknown }).jwks)) {
      throw refuse('The client metadata document must not contain private key material.', 'document: private key in jwks');
    }
  }
  const parsed = metadataDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const { field = 'the document', message } = clientMetadataIssue(parsed.error);
    throw refuse(`The client metadata document is invalid: ${field} is missing or not allowed.`, `document: ${field}: ${message}`);
  }
  const document = parsed.data;
  // §4: client_id must equal the URL it was fetched from, by simple string comparison (RFC 3986 §6.2.1).
  if (document.client_id !== clientId) {
    throw refuse("The client metadata document's client_id does not match its URL.", 'document: client_id mismatch');
  }
  // §4.2 and RFC 9700 §4.1.1: redirect URIs are registered by the document; they obey invariant 3.
  for (const uri of document.redirect_uris) {
    const problem = checkRedirectUri(uri);
    if (problem !== null)
      throw refuse(`The client metadata document lists a redirect URI that is not allowed (${problem}).`, `document: redirect_uris: ${problem}`);
  }
  let scope: string[] | null = null;
  if (document.scope !== undefined) {
    scope = parseScope(document.scope);
    if (scope === null) throw refuse('The client metadata document has a malformed scope.', 'document: scope');
  }
  return {
    clientId,
    secretHash: null,
    tokenEndpointAuthMethod: 'none',
    redirectUris: document.redirect_uris,
    // RFC 7591 §2: grant_types defaults to authorization_code.
    grantTypes: document.grant_types ?? ['authorization_code'],
    clientName: document.client_name ?? null,
    scope,
    metadata: { ...document },
    source: 'dynamic',
    createdAt: nowSeconds,
  };
}
