import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import type { Probe } from '../../probe.js';
import { fail, pass } from '../../verdict.js';
import { describeAnswer, redemptionParameters, refusalOf, refusalVerdict, requestTokens } from './token-probe.js';

/** FAPI 2.0's lifetime (60 s), and OAuth 2.1's longest (10 minutes), each with a second to spare. */
const SHORT_SECONDS = 61;
const LONGEST_SECONDS = 601;

/** Waits until `seconds` have passed since `since` (performance.now() milliseconds), telling the user. */
async function waitUntilAged(probe: Probe, since: number, seconds: number): Promise<void> {
  const remaining = Math.max(0, since + seconds * 1000 - performance.now());
  probe.note(`TOK-09: waiting ${Math.ceil(remaining / 1000)} s for an authorization code to be ${seconds} s old (--slow)`);
  await new Promise((resolve) => setTimeout(resolve, remaining));
}

/**
 * TOK-09 (`--slow`): authorization codes are short-lived. Two fresh codes are obtained; the first
 * is redeemed once 61 s old, the second (only when the first was still good) once 601 s old.
 * Refused at 61 s: pass. Good at 61 s but not at 601 s: pass, with the note that FAPI 2.0 asks
 * for 60 s. Good at 601 s: fail, since OAuth 2.1 recommends at most 10 minutes and a long-lived code
 * is a long window for an intercepted one.
 * @see OAuth 2.1 §4.1.2 ("a maximum authorization code lifetime of 10 minutes is RECOMMENDED"); FAPI 2.0 Security Profile §5.3.2.1
 */
export const TOK_09: Check = {
  id: 'TOK-09',
  async run(probe) {
    const short = await authorizeForCode(probe);
    const shortAt = performance.now();
    const long = await authorizeForCode(probe);
    const longAt = performance.now();
    await waitUntilAged(probe, shortAt, SHORT_SECONDS);
    const early = await requestTokens(probe, redemptionParameters(probe, short));
    const earlyRefusal = refusalOf(early, ['invalid_grant']);
    if (earlyRefusal === 'unattributable') return refusalVerdict(`a ${SHORT_SECONDS} s old code`, early, ['invalid_grant']);
    if (earlyRefusal !== 'accepted') return pass(`a ${SHORT_SECONDS} s old code was refused (${describeAnswer(early)})`);
    await waitUntilAged(probe, longAt, LONGEST_SECONDS);
    const late = await requestTokens(probe, redemptionParameters(probe, long));
    const lateRefusal = refusalOf(late, ['invalid_grant']);
    if (lateRefusal === 'accepted') return fail(`a ${LONGEST_SECONDS} s old code was still redeemed: codes live longer than 10 minutes`);
    if (lateRefusal === 'unattributable') return refusalVerdict(`a ${LONGEST_SECONDS} s old code`, late, ['invalid_grant']);
    return pass(
      `a ${SHORT_SECONDS} s old code was still redeemed (FAPI 2.0 asks for 60 s), and a ${LONGEST_SECONDS} s old one was refused (${describeAnswer(late)})`,
    );
  },
};
