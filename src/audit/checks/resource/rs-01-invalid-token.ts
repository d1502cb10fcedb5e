import { randomSecret } from '../../../core/secrets.js';
import { parseChallenge } from '../../../core/www-authenticate.js';
import type { Check } from '../../check.js';
import { INITIALIZE_REQUEST, MCP_POST_HEADERS } from '../../facts/challenge.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, pass } from '../../verdict.js';

/** The `initialize` of DISC-01, sent with `token` as its bearer token: the one thing that differs. */
export function sendWithBearer(probe: Probe, token: string): Promise<ProbeResponse> {
  return probe.fetch(probe.settings.target, {
    method: 'POST',
    headers: { ...MCP_POST_HEADERS, authorization: `Bearer ${token}` },
    body: INITIALIZE_REQUEST,
  });
}

/** The `error` of the response's Bearer challenge, or undefined. */
export function bearerError(response: ProbeResponse): string | undefined {
  const header = response.headers.get('www-authenticate');
  return header === null ? undefined : parseChallenge(header, 'Bearer')?.['error'];
}

/**
 * RS-01: a bearer token the server never issued is refused with 401 and
 * `WWW-Authenticate: Bearer error="invalid_token"`: accepted, the endpoint is open to anyone who
 * sends a header; refused another way, a client cannot tell its token is dead and that it should
 * refresh or authorize again.
 * @see RFC 6750 §3.1; MCP Authorization (2026-07-28) "Error Handling"
 */
export const RS_01: Check = {
  id: 'RS-01',
  async run(probe) {
    const challenge = await probe.fact('challenge');
    if (challenge.response.status !== 401) {
      return inconclusive(`initialize without a token was answered ${challenge.response.status}, so the answer to a bad token cannot be told apart`);
    }
    const response = await sendWithBearer(probe, randomSecret(32));
    const { status } = response;
    if (status >= 200 && status < 300) return fail(`a made-up bearer token was accepted (${status}): the endpoint does not check tokens`);
    if (status !== 401) return fail(`a made-up bearer token was answered ${status}, not 401: a client cannot tell its token is invalid`);
    const error = bearerError(response);
    if (error === 'invalid_token') return pass('a made-up bearer token: 401 with error="invalid_token"');
    return fail(
      error === undefined
        ? 'a made-up bearer token got a 401 without error="invalid_token" in its challenge'
        : `a made-up bearer token got a 401 with error=${JSON.stringify(error.slice(0, 60))}, not invalid_token`,
      'medium',
    );
  },
};
