import { basicAuthorization } from '../core/client-secret-basic.js';
import type { ProbeResponse } from './guarded-fetch.js';
import type { Probe } from './probe.js';

/** What a registration request got back: the response, and the client when one was made. */
export interface Registration {
  readonly response: ProbeResponse;
  readonly body: Readonly<Record<string, unknown>> | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** RFC 7592 management came back (a `registration_client_uri` and a `registration_access_token`): the auditor can delete the client. */
  readonly manageable: boolean;
  /** Deletes the client now rather than when the audit ends (RFC 7592 §2.3): the status answered, or undefined when it is not manageable or nothing answered. */
  remove(): Promise<number | undefined>;
}

/** The client metadata the auditor registers with, for a public native client on the canary (RFC 8252 §7.3). */
export function auditClientMetadata(redirectUris: readonly string[]): Record<string, unknown> {
  return {
    client_name: 'Portcullis audit',
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
  };
}

/**
 * POSTs `metadata` to the registration endpoint (RFC 7591 §3.1). A client that was made is
 * deleted when the audit ends, where the server allows it (RFC 7592 §2.3: a
 * `registration_client_uri` and a `registration_access_token` came back).
 */
export async function register(probe: Probe, endpoint: string, metadata: Record<string, unknown>): Promise<Registration> {
  const response = await probe.fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
  const parsed = response.json();
  const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  const clientId = response.status >= 200 && response.status < 300 && typeof body?.['client_id'] === 'string' ? body['client_id'] : undefined;
  const clientSecret = typeof body?.['client_secret'] === 'string' ? body['client_secret'] : undefined;
  probe.remember(clientSecret);
  const accessToken = body?.['registration_access_token'];
  const clientUri = body?.['registration_client_uri'];
  probe.remember(typeof accessToken === 'string' ? accessToken : undefined);
  const manageable = clientId !== undefined && typeof accessToken === 'string' && typeof clientUri === 'string';
  let deletion: Promise<number | undefined> | undefined;
  const remove = (): Promise<number | undefined> => {
    if (!manageable) return Promise.resolve(undefined);
    deletion ??= probe.fetch(clientUri, { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` } }).then(
      (answer) => answer.status,
      () => undefined,
    );
    return deletion;
  };
  if (manageable)
    probe.onCleanup(async () => {
      await remove();
    });
  return { response, body, clientId, clientSecret, manageable, remove };
}

/** A client as the token, revocation and introspection endpoints know it. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly authMethod: 'none' | 'client_secret_basic' | 'client_secret_post';
}

/**
 * How `client` authenticates a request to the token, revocation or introspection endpoint: HTTP
 * Basic with the id and secret form-urlencoded (RFC 6749 §2.3.1), the secret in the form, or, for
 * a public client, only its `client_id` in the form (OAuth 2.1 §2.4).
 */
export function clientAuthentication(client: ClientCredentials): { headers: Record<string, string>; parameters: [string, string][] } {
  if (client.authMethod === 'client_secret_basic' && client.clientSecret !== undefined) {
    return { headers: { authorization: basicAuthorization(client.clientId, client.clientSecret) }, parameters: [] };
  }
  if (client.authMethod === 'client_secret_post' && client.clientSecret !== undefined) {
    return {
      headers: {},
      parameters: [
        ['client_id', client.clientId],
        ['client_secret', client.clientSecret],
      ],
    };
  }
  return { headers: {}, parameters: [['client_id', client.clientId]] };
}
