import { baselineAuthorizationRequest, withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { fail, warn } from '../../verdict.js';
import { jwtClaimsOf } from '../resource/resource-probe.js';
import { describeAnswer, obtainOwnRefreshToken, refreshTokens, refusalOf, refusalVerdict } from '../token/token-probe.js';

/** The scopes a token holds: the token response's `scope`, else a JWT's `scope` (RFC 9068 §2.2.3), else undefined. */
function grantedScopes(scope: string | undefined, accessToken: string): string[] | undefined {
  const claims = jwtClaimsOf(accessToken);
  const value = scope ?? (typeof claims?.['scope'] === 'string' ? claims['scope'] : undefined);
  return value?.split(' ').filter((s) => s !== '');
}

/**
 * RT-04: a refresh cannot add scope. The grant is made for fewer scopes than the baseline asks
 * for (all but the last, when it asks for two or more); the refresh then asks for the baseline's
 * full scope, or, with a single scope, for that scope and one the server never heard of. It must
 * be refused with `invalid_scope`. Tokens carrying the added scope fail; tokens without it (the
 * server dropped what it would not grant) are a warning: RFC 6749 §6 says the request MUST NOT
 * ask for more, and a client is better told.
 * @see RFC 6749 §6 ("MUST NOT include any scope not originally granted by the resource owner"), §5.1 (scope in the response)
 */
export const RT_04: Check = {
  id: 'RT-04',
  async run(probe) {
    const baseline = await baselineAuthorizationRequest(probe);
    const asked = (baseline.parameters.find(([name]) => name === 'scope')?.[1] ?? '').split(' ').filter((s) => s !== '');
    const narrowed = asked.length >= 2 ? asked.slice(0, -1) : asked;
    const added = asked.length >= 2 ? asked.at(-1)! : 'portcullis-audit-widened';
    const own = await obtainOwnRefreshToken(probe, narrowed.length > 0 ? withParameter(baseline, 'scope', narrowed.join(' ')) : baseline);
    const widened = [...narrowed, added].join(' ');
    const answer = await refreshTokens(probe, own.refreshToken, [['scope', widened]]);
    const label = `a refresh asking for ${JSON.stringify(added)} on top of the granted ${narrowed.length > 0 ? JSON.stringify(narrowed.join(' ')) : 'default scope'}`;
    if (refusalOf(answer, ['invalid_scope']) !== 'accepted' || answer.tokens === undefined) return refusalVerdict(label, answer, ['invalid_scope']);
    // RFC 6749 §5.1: no scope in the response means the scope requested was granted.
    const granted = grantedScopes(answer.tokens.scope, answer.tokens.accessToken) ?? widened.split(' ');
    if (granted.includes(added)) return fail(`${label} was granted (${describeAnswer(answer)}, scope includes it)`);
    return warn(`${label} was not refused, but the scope issued leaves it out`);
  },
};
