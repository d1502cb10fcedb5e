import { computeS256Challenge } from '../../../core/pkce.js';
import { randomSecret } from '../../../core/secrets.js';
import { baselineAuthorizationRequest, withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { describeAnswer, redemptionParameters, refusalOf, requestTokens, withTokenParameter } from './token-probe.js';

/** Verifiers RFC 7636 §4.1 forbids, each with a label for the summary. */
function malformedVerifiers(): { readonly label: string; readonly verifier: string }[] {
  const base64 = randomSecret(32).split('');
  // Standard base64 instead of base64url, padded: the usual mistake.
  base64[10] = '+';
  base64[20] = '/';
  return [
    { label: 'a 42-character verifier', verifier: randomSecret(32).slice(0, 42) },
    { label: 'a 129-character verifier', verifier: randomSecret(97).slice(0, 129) },
    { label: "a verifier with '+', '/' and '='", verifier: `${base64.join('')}=` },
  ];
}

/** Redeems a code issued for the S256 challenge of `verifier` with that verifier. */
async function redeemWith(probe: Probe, verifier: string) {
  probe.remember(verifier);
  const baseline = await baselineAuthorizationRequest(probe);
  const request = { ...withParameter(baseline, 'code_challenge', computeS256Challenge(verifier)), verifier };
  const authorization = await authorizeForCode(probe, request);
  return requestTokens(probe, withTokenParameter(redemptionParameters(probe, authorization), 'code_verifier', verifier));
}

/**
 * TOK-08: the token endpoint checks the verifier's form, not only its digest. For each of a
 * verifier one character short (42), one too long (129) and one in standard base64 (`+`, `/`,
 * `=`), a fresh code is issued for that verifier's S256 challenge and redeemed with it: each must
 * be refused (`invalid_request` or `invalid_grant`). A short or odd verifier is a client bug the
 * server should surface, and a too-short one has less entropy than the RFC asks for.
 * @see RFC 7636 §4.1 (code-verifier = 43*128unreserved)
 */
export const TOK_08: Check = {
  id: 'TOK-08',
  async run(probe) {
    const seen: string[] = [];
    const accepted: string[] = [];
    for (const { label, verifier } of malformedVerifiers()) {
      const answer = await redeemWith(probe, verifier);
      const refusal = refusalOf(answer, ['invalid_request', 'invalid_grant']);
      if (refusal === 'unattributable') return inconclusive(`${label} was answered ${describeAnswer(answer)}, which cannot be put down to the verifier`);
      if (refusal === 'accepted') accepted.push(label);
      seen.push(`${label}: ${describeAnswer(answer)}`);
    }
    if (accepted.length > 0) return fail(`accepted though malformed, since the S256 digest matched: ${accepted.join(', ')} (${seen.join('; ')})`);
    return pass(`every malformed verifier was refused (${seen.join('; ')})`);
  },
};
