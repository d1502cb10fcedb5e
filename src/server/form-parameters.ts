import { OAuthError } from '../core/errors.js';

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
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded(\s*;|$)/i.test(type)) {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
  return parametersFrom(new URLSearchParams(await readBodyText(request)));
}

/** Reads a body as UTF-8 text, refusing more than MAX_BODY_BYTES. */
export async function readBodyText(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw new OAuthError('invalid_request', 'The request body is too large.', { status: 413 });
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new OAuthError('invalid_request', 'The request body is too large.', { status: 413 });
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

/** A parameter name fit to echo in an error description (never a value). */
export function safeName(name: string): string {
  return /^[A-Za-z0-9_]{1,40}$/.test(name) ? name : '(unnamed)';
}
