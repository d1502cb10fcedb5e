import { canonicalResource } from '../../../core/resource-uri.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, pass, type Verdict } from '../../verdict.js';
import { audiencesOf, describeResourceAnswer, jwtClaimsOf, namesResource, presentToken, siblingResource } from '../resource/resource-probe.js';
import { refusalOf, refusalVerdict, type TokenAnswer } from './token-probe.js';

/**
 * The verdict on a token request that named a foreign resource (the MCP URL's sibling) where the
 * grant was for the MCP URL (TOK-12 at the token endpoint, RT-05 on refresh). Refused with
 * `invalid_target`: pass. Tokens issued: what matters is their audience. A JWT's `aud` says it; an
 * opaque token is presented to the MCP URL, where a token for the authorized resource works
 * and one for the sibling must not.
 * @see RFC 8707 §2.2 ("invalid_target"); RFC 9068 §3 (`aud`)
 */
export async function foreignResourceVerdict(probe: Probe, label: string, answer: TokenAnswer): Promise<Verdict> {
  if (refusalOf(answer, ['invalid_target']) !== 'accepted' || answer.tokens === undefined) return refusalVerdict(label, answer, ['invalid_target']);
  const token = answer.tokens.accessToken;
  const claims = jwtClaimsOf(token);
  if (claims !== undefined) {
    const audiences = audiencesOf(claims);
    if (namesResource(audiences, siblingResource(probe.settings.target)))
      return fail(`${label} was not refused, and the JWT access token issued names it in aud`);
    if (namesResource(audiences, canonicalResource(probe.settings.target.href))) {
      return pass(`${label} was not refused, but the JWT access token issued is for the authorized resource (aud)`);
    }
  }
  const { use, response } = await presentToken(probe, token);
  if (use === 'accepted') return pass(`${label} was not refused, but the access token issued works at the MCP URL: it is for the authorized resource`);
  if (use === 'refused')
    return fail(
      `${label} was not refused, and the MCP URL refuses the access token issued (${describeResourceAnswer(response)}): it is for the foreign resource`,
    );
  return inconclusive(`${label} was not refused, and the MCP URL answered the access token issued with ${describeResourceAnswer(response)}`);
}
