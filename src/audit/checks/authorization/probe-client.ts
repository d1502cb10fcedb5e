import { type AuthorizationRequest, withParameter } from '../../authorization-request.js';
import { metadataString } from '../../facts/authorization-server.js';
import type { Probe } from '../../probe.js';
import { auditClientMetadata, type Registration, register } from '../../registration.js';

/** A client a check registered for itself (deleted when the audit ends, where RFC 7592 allows). */
export interface ProbeClient {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly registration: Registration;
}

/** Why no client was registered: a phrase, and the status when the server answered one. */
export interface NoProbeClient {
  readonly refused: string;
  readonly status?: number;
}

/**
 * Registers a client of the check's own: the auditor's client metadata with `changes` (its
 * `redirect_uris` first of all), or says why not (no open registration, or a refusal).
 * @see RFC 7591 §3.1
 */
export async function registerProbeClient(
  probe: Probe,
  changes: Readonly<Record<string, unknown>> & { redirect_uris: readonly string[] },
): Promise<ProbeClient | NoProbeClient> {
  const { metadata } = await probe.fact('authorizationServer');
  const endpoint = metadataString(metadata, 'registration_endpoint');
  if (endpoint === undefined) return { refused: 'the server has no registration_endpoint' };
  const registration = await register(probe, endpoint, { ...auditClientMetadata(changes.redirect_uris), ...changes });
  if (registration.clientId === undefined) {
    const { status } = registration.response;
    const error = registration.body?.['error'];
    return { refused: `registration was refused: ${status}${typeof error === 'string' ? ` ${error}` : ''}`, status };
  }
  return { clientId: registration.clientId, redirectUri: changes.redirect_uris[0]!, registration };
}

/** The baseline request, made for another client: its client_id and redirect_uri, nothing else changed. */
export function requestFor(request: AuthorizationRequest, client: Pick<ProbeClient, 'clientId' | 'redirectUri'>): AuthorizationRequest {
  return withParameter(withParameter(request, 'client_id', client.clientId), 'redirect_uri', client.redirectUri);
}
