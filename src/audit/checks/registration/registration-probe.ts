import type { RegistrationBaseline } from '../../facts/registration-baseline.js';
import type { Probe } from '../../probe.js';
import { type Registration, register } from '../../registration.js';

/**
 * What a registration that differs from the accepted baseline in one field got:
 * - `refused`: a 4xx (other than 429): the server said no, and only that field differed;
 * - `accepted`: a client was made (2xx with a `client_id`);
 * - `unattributable`: anything else (rate-limited, a server error, a 2xx without a client),
 *   which says nothing about the field.
 * @see RFC 7591 §3.2.1 (a client), §3.2.2 (an error: `invalid_redirect_uri`, `invalid_client_metadata`)
 */
export type RegistrationOutcome =
  | { readonly kind: 'refused'; readonly status: number; readonly error: string | undefined }
  | { readonly kind: 'accepted'; readonly registration: Registration }
  | { readonly kind: 'unattributable'; readonly status: number; readonly reason: string };

/** The baseline's metadata with `field` set to `value`, or without `field` when `value` is undefined. */
export function changedMetadata(baseline: RegistrationBaseline, field: string, value: unknown): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...baseline.metadata };
  if (value === undefined) delete metadata[field];
  else metadata[field] = value;
  return metadata;
}

export function outcomeOf(registration: Registration): RegistrationOutcome {
  const { status } = registration.response;
  if (registration.clientId !== undefined) return { kind: 'accepted', registration };
  if (status === 429) return { kind: 'unattributable', status, reason: 'rate-limited (429)' };
  if (status >= 400 && status < 500) {
    const error = registration.body?.['error'];
    // Shown in a summary: only an error code's characters (RFC 6749 §5.2), and not a page's worth.
    return { kind: 'refused', status, error: typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : undefined };
  }
  return { kind: 'unattributable', status, reason: status >= 200 && status < 300 ? `answered ${status} without a client_id` : `answered ${status}` };
}

/** Registers the baseline's metadata with one field changed (a client made by mistake is deleted where RFC 7592 allows). */
export async function registerChanged(probe: Probe, baseline: RegistrationBaseline, field: string, value: unknown): Promise<RegistrationOutcome> {
  return outcomeOf(await register(probe, baseline.endpoint, changedMetadata(baseline, field, value)));
}

/**
 * Whether an accepted client was registered with `value` in its array member `field`, as the
 * response says (RFC 7591 §3.2.1: it carries every registered field, and the server may have
 * replaced what was asked for): `removed` when the server dropped it, `kept` when it is there or
 * the response does not say.
 */
export function registeredWith(registration: Registration, field: string, value: string): 'kept' | 'removed' {
  const registered = registration.body?.[field];
  return Array.isArray(registered) && !registered.includes(value) ? 'removed' : 'kept';
}

/** "refused (400 invalid_redirect_uri)", "accepted", "rate-limited (429)": for a summary. */
export function describeOutcome(outcome: RegistrationOutcome): string {
  switch (outcome.kind) {
    case 'refused':
      return `refused (${outcome.status}${outcome.error !== undefined ? ` ${outcome.error}` : ''})`;
    case 'accepted':
      return 'accepted';
    case 'unattributable':
      return outcome.reason;
  }
}
