import { OAuthError } from '../../core/errors.js';

/**
 * How every Client ID Metadata Document failure is refused: `invalid_client` with a public
 * description in our own words, and a private `detail` (for logs only) that starts with a reason
 * word: `url`, `address`, `dns`, `timeout`, `fetch`, `redirect`, `status`, `content-type`, `size`,
 * `json` or `document`.
 * @see draft-ietf-oauth-client-id-metadata-document-02 §5; RFC 6749 §5.2 (`invalid_client`)
 */
export function metadataDocumentRefusal(description: string, detail: string): OAuthError {
  return new OAuthError('invalid_client', description, { detail });
}
