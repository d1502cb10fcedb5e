import type { Check } from '../../check.js';
import { fail, notApplicable, pass, warn } from '../../verdict.js';
import { jwtClaimsOf } from '../resource/resource-probe.js';
import { readTokenAnswer } from './token-probe.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** "10 min", "1 h", "365 d": a lifetime for a summary. */
function shown(seconds: number): string {
  if (seconds >= DAY && seconds % DAY === 0) return `${seconds / DAY} d`;
  if (seconds >= HOUR && seconds % HOUR === 0) return `${seconds / HOUR} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * TOK-15: access tokens are short-lived, so a leaked one (in a log, a proxy, a crash report) is
 * soon worthless. The baseline's `expires_in` (or a JWT's `exp` − `iat` when there is none): an
 * hour or less passes, more is a warning, and more than a day fails for a public client, which
 * cannot keep a secret and has refresh tokens for long sessions.
 * @see MCP Authorization (2026-07-28) "Token Theft" (short-lived access tokens); OAuth 2.1 §7.1.3; RFC 9700 §4.10
 */
export const TOK_15: Check = {
  id: 'TOK-15',
  async run(probe) {
    const { response } = await probe.fact('tokenBaseline');
    const client = await probe.fact('client');
    const tokens = readTokenAnswer(response).tokens;
    const claims = tokens === undefined ? undefined : jwtClaimsOf(tokens.accessToken);
    const fromJwt = typeof claims?.['exp'] === 'number' && typeof claims['iat'] === 'number' ? claims['exp'] - claims['iat'] : undefined;
    const lifetime = tokens?.expiresIn ?? fromJwt;
    if (lifetime === undefined) return notApplicable('the token response has no expires_in and the access token is not a JWT with exp and iat (TOK-02)');
    const source = tokens?.expiresIn !== undefined ? 'expires_in' : "the JWT's exp − iat";
    const isPublic = client.authMethod === 'none';
    if (lifetime > DAY && isPublic) return fail(`access tokens live ${shown(lifetime)} (${source}) for a public client: more than a day`);
    if (lifetime > HOUR) return warn(`access tokens live ${shown(lifetime)} (${source}): more than an hour`);
    return pass(`access tokens live ${shown(lifetime)} (${source})`);
  },
};
