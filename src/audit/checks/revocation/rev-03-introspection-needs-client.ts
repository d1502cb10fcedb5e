import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { metadataString } from '../../facts/authorization-server.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { fail, inconclusive, notApplicable, pass, warn } from '../../verdict.js';

function shown(response: ProbeResponse): string {
  const body = response.json();
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  return `${response.status}${typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? ` ${error}` : ''}`;
}

/**
 * REV-03: the introspection endpoint answers only callers that authenticate (resource servers,
 * as confidential clients): a request with no credentials at all, and one with only a public
 * client's `client_id` (which proves nothing), are refused with 401. Otherwise anyone can ask
 * whether a token they found or guessed is live, and what it grants.
 * @see RFC 7662 §2.1 ("the endpoint MUST also require some form of authorization"), §4 (token scanning); RFC 6749 §5.2
 */
export const REV_03: Check = {
  id: 'REV-03',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    const endpoint = metadataString(metadata, 'introspection_endpoint');
    if (endpoint === undefined || !URL.canParse(endpoint)) return notApplicable('the authorization server has no introspection_endpoint');
    const own = await probe.factIfReached('client');
    // What a 2xx lets the caller do: with no credentials, anyone can ask; with a public client's
    // client_id, whoever names that client can, and a made-up token cannot show whether the answer
    // covers other clients' tokens too (oidc-provider's default policy answers only for the named client's own).
    const requests: { label: string; form: [string, string][]; exposure: string }[] = [
      { label: 'no client credentials', form: [], exposure: 'anyone can ask whether a token is live' },
    ];
    if (own?.authMethod === 'none')
      requests.push({
        label: "only a public client's client_id",
        form: [['client_id', own.clientId]],
        exposure: "anyone who names a public client can ask whether a token is live (at least that client's tokens)",
      });
    const seen: string[] = [];
    const notUnauthorized: string[] = [];
    for (const { label, form, exposure } of requests) {
      const response = await probe.fetch(endpoint, { method: 'POST', body: new URLSearchParams([['token', randomSecret(32)], ...form]) });
      if (response.status >= 200 && response.status < 300) return fail(`introspection with ${label} was answered ${shown(response)}: ${exposure}`);
      if (response.status === 429 || response.status >= 500) return inconclusive(`introspection with ${label} was answered ${shown(response)}`);
      seen.push(`${label}: ${shown(response)}`);
      if (response.status !== 401) notUnauthorized.push(label);
    }
    if (notUnauthorized.length > 0) return warn(`refused, but not with 401 (${seen.join('; ')})`);
    return pass(seen.join('; '));
  },
};
