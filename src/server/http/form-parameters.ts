import type { IncomingMessage } from 'node:http';
import { OAuthError } from '../../core/errors.js';
import { isFormUrlEncoded } from '../../core/form-content-type.js';
import { readIncomingMessageBody, readWebRequestBody } from '../../http/size-limited-body.js';

/** Largest form or JSON body an endpoint reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads parameters from a query string or an `application/x-www-form-urlencoded` body.
 * A parameter sent more than once is refused (RFC 6749 §3.1, §3.2).
 */
export function parametersFrom(search: URLSearchParams): Record<string, string> {
  const params: Record<string, string> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    if (values.length > 1) throw new OAuthError('invalid_request', `The ${safeName(key)} parameter is repeated.`);
    params[key] = values[0]!;
  }
  return params;
}

/** Reads a form body, refusing other content types and oversized bodies. @see RFC 6749 §3.2 */
export async function readFormBody(request: Request): Promise<Record<string, string>> {
  assertFormContentType(request.headers.get('content-type'));
  return parametersFrom(new URLSearchParams(await readBodyText(request)));
}

/** `readFormBody` for a node:http request (the node token route). @see RFC 6749 §3.2 */
export async function readIncomingFormBody(request: IncomingMessage): Promise<Record<string, string>> {
  assertFormContentType(request.headers['content-type']);
  let bytes: Uint8Array | null;
  try {
    bytes = await readIncomingMessageBody(request, MAX_BODY_BYTES);
  } catch {
    // A client that went away: nobody reads the answer, but the log says what happened.
    throw new OAuthError('invalid_request', 'The request body could not be read.');
  }
  if (bytes === null) throw bodyTooLarge();
  return parametersFrom(new URLSearchParams(utf8.decode(bytes)));
}

/** Refuses a body that is not `application/x-www-form-urlencoded` (RFC 6749 §3.2). */
function assertFormContentType(contentType: string | null | undefined): void {
  if (!isFormUrlEncoded(contentType)) throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
}

/** Reads a body as UTF-8 text, refusing more than MAX_BODY_BYTES (413). */
export async function readBodyText(request: Request): Promise<string> {
  const bytes = await readWebRequestBody(request, MAX_BODY_BYTES);
  if (bytes === null) throw bodyTooLarge();
  return utf8.decode(bytes);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The refusal of a body over MAX_BODY_BYTES, on either transport. @see RFC 9110 §15.5.14 */
const bodyTooLarge = () => new OAuthError('invalid_request', 'The request body is too large.', { status: 413 });

/** A parameter name fit to echo in an error description (never a value). */
export function safeName(name: string): string {
  return /^[A-Za-z0-9_]{1,40}$/.test(name) ? name : '(unnamed)';
}
