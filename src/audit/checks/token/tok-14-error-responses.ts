import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { type ClientCredentials, clientAuthentication } from '../../registration.js';
import { tokenEndpoint } from '../../token-request.js';
import { fail, pass } from '../../verdict.js';

/**
 * The error codes a token endpoint may answer with: RFC 6749 §5.2's, and those the IANA "OAuth
 * Extensions Error" registry lists for the token endpoint (RFC 8707, RFC 8628, RFC 9396, RFC 9449).
 */
const TOKEN_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_authorization_details',
  'invalid_dpop_proof',
  'use_dpop_nonce',
]);

/** What is wrong with an error answer of the token endpoint, or undefined when it is as RFC 6749 §5.2 says. */
function errorAnswerProblem(response: ProbeResponse): string | undefined {
  const body = response.json();
  const member = (name: string) => (typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined);
  const error = member('error');
  const errorShown = typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : undefined;
  if (response.status >= 200 && response.status < 300) {
    return typeof error === 'string' ? `answered ${response.status} with error ${errorShown ?? '(unprintable)'}` : `answered ${response.status}, not an error`;
  }
  const invalidClient = error === 'invalid_client';
  if (response.status !== 400 && !(invalidClient && response.status === 401))
    return `answered ${response.status}${errorShown !== undefined ? ` ${errorShown}` : ''}, not 400`;
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(response.headers.get('content-type') ?? ''))
    return `answered ${response.status} with a body that is not JSON`;
  if (typeof error !== 'string') return 'answered a JSON body without an error code';
  if (!TOKEN_ERROR_CODES.has(error)) return `answered the unregistered error code ${errorShown ?? '(unprintable)'}`;
  const description = member('error_description');
  if (typeof description === 'string' && /[\r\n\t]/.test(description)) return `answered ${error} with a CR, LF or TAB in its error_description`;
  return undefined;
}

/**
 * TOK-14: the token endpoint's errors are what clients parse: 400 (401 for `invalid_client`),
 * JSON, with a registered `error` code, and an `error_description` without CR, LF or TAB
 * (RFC 6749 §5.2 limits it to printable ASCII; a line break in it splits log lines and headers).
 * Never a 200 carrying an error, which clients read as success. Three errors are asked for: no
 * `grant_type`, an unsupported one, and a made-up code.
 * @see RFC 6749 §5.2; IANA OAuth Extensions Error registry
 */
export const TOK_14: Check = {
  id: 'TOK-14',
  async run(probe) {
    const endpoint = await tokenEndpoint(probe);
    const canary = await probe.fact('canary');
    const own = await probe.factIfReached('client');
    const client: ClientCredentials = own ?? { clientId: `portcullis-audit-${randomSecret(12)}`, clientSecret: undefined, authMethod: 'none' };
    const { headers, parameters } = clientAuthentication(client);
    const redirectUri = own?.redirectUri ?? canary.newRedirectUri();
    const requests: { label: string; form: [string, string][] }[] = [
      { label: 'no grant_type', form: [] },
      { label: 'an unsupported grant_type', form: [['grant_type', 'urn:portcullis:audit:unsupported']] },
      {
        label: 'a made-up code',
        form: [
          ['grant_type', 'authorization_code'],
          ['code', randomSecret(32)],
          ['redirect_uri', redirectUri],
          ['code_verifier', randomSecret(32)],
        ],
      },
    ];
    const seen: string[] = [];
    for (const { label, form } of requests) {
      const response = await probe.fetch(endpoint, { method: 'POST', headers, body: new URLSearchParams([...form, ...parameters]) });
      const problem = errorAnswerProblem(response);
      if (problem !== undefined) return fail(`a token request with ${label} was ${problem}`);
      seen.push(`${label}: ${response.status} ${String((response.json() as { error: string }).error)}`);
    }
    return pass(`every error was JSON with a registered code (${seen.join('; ')})`);
  },
};
