import { baselineAuthorizationRequest, withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, notApplicable, pass, type Verdict } from '../../verdict.js';
import { authorizeChanged, redemptionParameters, requestTokens } from '../token/token-probe.js';
import { bearerChallengeOf, describeResourceAnswer, presentToken } from './resource-probe.js';

/** The most scopes left out one at a time: a handful of authorizations at most. */
const MOST_TRIES = 3;

/** The scopes the MCP server says it needs: its 401 challenge's `scope`, else its metadata's `scopes_supported`. */
async function neededScopes(probe: Probe): Promise<string[]> {
  const challenge = await probe.fact('challenge');
  const fromChallenge = challenge.bearer?.['scope']?.split(' ').filter((s) => s !== '') ?? [];
  if (fromChallenge.length > 0) return [...new Set(fromChallenge)];
  const metadata = await probe.fact('resourceMetadata').catch(() => undefined);
  const supported = metadata?.document['scopes_supported'];
  return Array.isArray(supported) ? [...new Set(supported.filter((s): s is string => typeof s === 'string' && s !== ''))] : [];
}

/** A fresh access token for `scope`, or why there is none (the server would not authorize or redeem it). */
async function tokenFor(probe: Probe, scope: string): Promise<string | { readonly none: string }> {
  const request = withParameter(await baselineAuthorizationRequest(probe), 'scope', scope);
  const authorization = await authorizeChanged(probe, request);
  if ('refused' in authorization) return { none: `the authorization for ${JSON.stringify(scope)} was refused (${authorization.refused})` };
  const answer = await requestTokens(probe, redemptionParameters(probe, { code: authorization.code, request }));
  return answer.tokens?.accessToken ?? { none: `the code for ${JSON.stringify(scope)} was not redeemed` };
}

/** What a 403 for a token lacking `missing` should look like (RFC 6750 §3.1; MCP's step-up). */
function judge403(missing: string, response: Parameters<typeof bearerChallengeOf>[0]): Verdict {
  const challenge = bearerChallengeOf(response);
  if (challenge?.['error'] !== 'insufficient_scope') return fail(`a token without ${missing} got 403 without a Bearer error="insufficient_scope" challenge`);
  const named = challenge['scope']?.split(' ') ?? [];
  if (!named.includes(missing)) return fail(`a token without ${missing} got 403 insufficient_scope, but the challenge's scope does not name ${missing}`);
  return pass(`a token without ${missing} got 403 insufficient_scope naming ${JSON.stringify(challenge['scope'])}`);
}

/**
 * RS-08: a token that lacks a scope the call needs gets 403 `insufficient_scope`, naming the
 * scopes needed, so a client can step up instead of signing in again from scratch. For each
 * scope the server names (its challenge's `scope`, else `scopes_supported`), left out in turn, a
 * fresh token for the others is presented with `initialize`: the first one refused must be a 403
 * with `error="insufficient_scope"` and a `scope` naming what was left out (a 401 would send the
 * client round the same login). `na` when the server names one scope or none, or when every
 * reduced token still initializes (no call the auditor may safely make needs the scope left out).
 * @see RFC 6750 §3.1 (`insufficient_scope`, 403); MCP Authorization (2026-07-28) "Scope Challenge Handling"
 */
export const RS_08: Check = {
  id: 'RS-08',
  async run(probe) {
    const needed = await neededScopes(probe);
    if (needed.length < 2) return notApplicable(`the server names ${needed.length === 0 ? 'no scope' : `one scope only (${needed[0]})`}: none can be left out`);
    const tried: string[] = [];
    for (const missing of needed.slice(0, MOST_TRIES)) {
      const token = await tokenFor(probe, needed.filter((scope) => scope !== missing).join(' '));
      if (typeof token !== 'string') {
        tried.push(token.none);
        continue;
      }
      const { use, response } = await presentToken(probe, token);
      if (use === 'forbidden') return judge403(missing, response);
      if (use === 'refused') return fail(`a valid token without ${missing} got ${describeResourceAnswer(response)}, not 403 insufficient_scope`);
      if (use === 'unclear') return inconclusive(`a token without ${missing} was answered ${describeResourceAnswer(response)}`);
      tried.push(`a token without ${missing} still initializes`);
    }
    return notApplicable(`no call the auditor makes needed a scope left out (${tried.join('; ')})`);
  },
};
