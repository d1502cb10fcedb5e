import { isFormUrlEncoded } from '../../core/form-content-type.js';
import type { BearerGuard, BearerRequest } from '../bearer-guard.js';

/**
 * What the adapters read of a request body for the guard: the JSON-RPC message(s) whose scopes a
 * policy looks at, and a form body, which may smuggle an `access_token` (RFC 6750 §2.2).
 */

/**
 * Whether the body must be read before the check: a form body always; any other body when the
 * policy depends on it, whatever its content type, so a handler that parses JSON without looking
 * at `Content-Type` cannot be reached with a tool call the policy never saw.
 */
export function mustReadBody(guard: Pick<BearerGuard, 'readsBody'>, method: string, contentType: string | null | undefined): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  return guard.readsBody || isFormUrlEncoded(contentType);
}

/** The guard's view of a body read as text: parsed form parameters, or parsed JSON (undefined when not JSON). */
export function parseBodyForGuard(text: string, contentType: string | null | undefined): Pick<BearerRequest, 'body' | 'form'> {
  if (isFormUrlEncoded(contentType)) return { form: new URLSearchParams(text) };
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return {};
  }
}
