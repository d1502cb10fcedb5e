import { z } from 'zod';

/*
 * RFC 7591 §2 client metadata, once for both ways a client describes itself here: a Dynamic
 * Client Registration request (RFC 7591 §3.1, endpoints/register.ts) and a Client ID Metadata
 * Document (draft-ietf-oauth-client-id-metadata-document-02 §4, client-metadata-document-validation.ts).
 * The two differ only where a field is decided differently (the client_id, the auth methods
 * allowed, defaults); every other field and bound is shared. Unknown fields are dropped (§2).
 */

/** The longest URL accepted in client metadata, the client_id URL of a metadata document included. */
export const MAX_CLIENT_METADATA_URL_LENGTH = 2000;

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

const url = z.string().max(MAX_CLIENT_METADATA_URL_LENGTH);
// Links shown to users must not be `javascript:` or the like (CIMD draft §8.6, last paragraph).
const httpsUrl = url.refine(isHttpsUrl, 'must be an https URL');
const redirectUris = z.array(url).min(1).max(20);
const grantTypes = z.array(z.enum(['authorization_code', 'refresh_token'])).min(1);
const responseTypes = z.array(z.literal('code')).min(1);

/** The fields that describe a client to people and to its operator (RFC 7591 §2). */
const descriptiveFields = {
  client_name: z.string().min(1).max(200).optional(),
  client_uri: httpsUrl.optional(),
  logo_uri: httpsUrl.optional(),
  tos_uri: httpsUrl.optional(),
  policy_uri: httpsUrl.optional(),
  scope: z.string().max(1000).optional(),
  contacts: z.array(z.string().max(320)).max(10).optional(),
  software_id: z.string().max(200).optional(),
  software_version: z.string().max(100).optional(),
};

/**
 * The metadata of a registration request: public (`none`) and confidential clients, with the
 * RFC 7591 §2 defaults applied (`client_secret_basic`, `authorization_code`, `code`).
 * @see RFC 7591 §2, §3.1
 */
export const registrationMetadataSchema = z.object({
  redirect_uris: redirectUris,
  token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  grant_types: grantTypes.default(['authorization_code']),
  response_types: responseTypes.default(['code']),
  ...descriptiveFields,
});

export type RegistrationMetadata = z.output<typeof registrationMetadataSchema>;

/**
 * The metadata a Client ID Metadata Document may carry. Only public clients:
 * `token_endpoint_auth_method` is `none` when present, because key-based client authentication
 * (draft §8.2) is not supported yet. No defaults are applied: the document is kept as written.
 * @see RFC 7591 §2; draft-ietf-oauth-client-id-metadata-document-02 §4
 */
export const metadataDocumentSchema = z.object({
  client_id: url,
  redirect_uris: redirectUris,
  token_endpoint_auth_method: z.literal('none').optional(),
  grant_types: grantTypes.optional(),
  response_types: responseTypes.optional(),
  ...descriptiveFields,
});

/**
 * What a failed parse of client metadata is about: the top-level field (undefined when the
 * metadata is not an object at all), to name in the public `error_description`, and zod's own
 * message, for the private detail only (STYLE.md: never echo a validator's raw output).
 */
export function clientMetadataIssue(error: z.ZodError): { field: string | undefined; message: string } {
  const issue = error.issues[0];
  return { field: issue?.path.find((p): p is string => typeof p === 'string'), message: issue?.message ?? '' };
}
