import { OAuthError } from '../../core/errors.js';

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

/** Refuses a body that is not `application/x-www-form-urlencoded` (RFC 6749 §3.2). */
export function assertFormContentType(contentType: string | null | undefined): void {
  if (!/^application\/x-www-form-urlencoded(\s*;|$)/i.test(contentType ?? '')) {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
}

/**
 * Reads a body as UTF-8 text, refusing more than MAX_BODY_BYTES (413).
 *
 * A body with a declared Content-Length (and no Transfer-Encoding) is read in one piece with
 * `arrayBuffer()`: the HTTP parser delivers exactly the declared length (RFC 9112 §6.3), and
 * @hono/node-server then reads it straight from the socket, without building a web stream. Any
 * other body is read chunk by chunk and refused as soon as it passes the limit.
 */
export async function readBodyText(request: Request): Promise<string> {
  const declared = declaredLength(request.headers);
  if (declared !== undefined && declared > MAX_BODY_BYTES) throw bodyTooLarge();
  // Not `request.body` first: on @hono/node-server, touching it builds the web stream.
  const bytes = declared !== undefined ? new Uint8Array(await request.arrayBuffer()) : request.body === null ? new Uint8Array() : await readChunked(request.body);
  // Checked again for a Request whose Content-Length no parser enforced (one built in-process).
  if (bytes.byteLength > MAX_BODY_BYTES) throw bodyTooLarge();
  return utf8.decode(bytes);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export const bodyTooLarge = () => new OAuthError('invalid_request', 'The request body is too large.', { status: 413 });

/** The declared Content-Length, or undefined when the length is not declared or not trustworthy. */
function declaredLength(headers: Headers): number | undefined {
  const value = headers.get('content-length');
  if (value === null || headers.has('transfer-encoding') || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

async function readChunked(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A parameter name fit to echo in an error description (never a value). */
export function safeName(name: string): string {
  return /^[A-Za-z0-9_]{1,40}$/.test(name) ? name : '(unnamed)';
}
