import type { Probe } from '../probe.js';
import { auditClientMetadata, type Registration, register } from '../registration.js';
import { NotReachedError } from '../verdict.js';
import { metadataString } from './authorization-server.js';

export interface RegistrationBaseline {
  readonly endpoint: string;
  /** The auditor's good client metadata, on canary redirect URIs: each REG probe changes one field of it. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** What the good metadata got: a client. */
  readonly accepted: Registration;
}

/**
 * Registers the auditor's good metadata once at the registration endpoint: it must be accepted
 * for any refusal of a registration that differs in one field to be attributed to that field.
 * A server with no registration endpoint, or one that takes no registration without an initial
 * access token (RFC 7591 §3), has no open registration to check.
 * @see RFC 7591 §3.1, §3.2.1
 */
export async function observeRegistrationBaseline(probe: Probe): Promise<RegistrationBaseline> {
  const { metadata: serverMetadata } = await probe.fact('authorizationServer');
  const endpoint = metadataString(serverMetadata, 'registration_endpoint');
  if (endpoint === undefined) throw new NotReachedError('registration', 'the authorization server has no registration_endpoint');
  const canary = await probe.fact('canary');
  const metadata = auditClientMetadata([canary.newRedirectUri()]);
  const accepted = await register(probe, endpoint, metadata);
  if (accepted.clientId === undefined) {
    const status = accepted.response.status;
    const error = typeof accepted.body?.['error'] === 'string' ? ` ${accepted.body['error']}` : '';
    const why = status === 401 || status === 403 ? 'registration is not open (it needs an initial access token)' : 'no refusal can be attributed';
    throw new NotReachedError('registration', `the auditor's valid registration was answered ${status}${error}: ${why}`);
  }
  return { endpoint, metadata, accepted };
}
