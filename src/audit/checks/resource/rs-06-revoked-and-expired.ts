import type { Check } from '../../check.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, notApplicable, pass, type Verdict, warn } from '../../verdict.js';
import { revocationEndpointOf, revoke } from '../revocation/revocation-probe.js';
import { obtainOwnTokens } from '../token/token-probe.js';
import { bearerChallengeOf, describeResourceAnswer, jwtClaimsOf, presentToken } from './resource-probe.js';

/** The longest wait for an access token to expire, with `--slow` (about OAuth 2.1's longest code lifetime). */
const LONGEST_EXPIRY_WAIT_SECONDS = 610;
/** How long, with `--slow`, a revoked token still working is given before it is presented again (Portcullis caches for 30 s). */
const REVOCATION_GRACE_SECONDS = 61;
/** How far past its expiry a token is first presented, and last: clock-skew leeways are seconds to a few minutes (RFC 7519 §4.1.4). */
const EXPIRY_LEEWAY_SECONDS = 65;
const LONGEST_LEEWAY_SECONDS = 305;
/** Why a revoked token may still work for a while, for a summary. */
const LATE_REVOCATION = 'the resource server honours revocation late (a cache of verified tokens, or JWTs verified offline)';

/** What one part of the check (revocation, expiry) found: a verdict to report, a sentence for a pass, or why it was not tried. */
type Part =
  | { readonly kind: 'finding'; readonly verdict: Verdict }
  | { readonly kind: 'ok'; readonly seen: string }
  | { readonly kind: 'skipped'; readonly why: string };

function sleep(probe: Probe, seconds: number, why: string): Promise<void> {
  probe.note(`RS-06: waiting ${seconds} s ${why} (--slow)`);
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

/** A token that should be dead was presented: 401 is right; `still` says what to make of it working. */
function deadTokenPart(what: string, presented: Awaited<ReturnType<typeof presentToken>>, still: (answer: string) => Verdict): Part {
  const answer = describeResourceAnswer(presented.response);
  if (presented.use === 'refused') {
    const code = bearerChallengeOf(presented.response)?.['error'];
    return { kind: 'ok', seen: `${what} got ${code === 'invalid_token' ? '401 invalid_token' : answer}` };
  }
  if (presented.use === 'accepted' || presented.use === 'forbidden') return { kind: 'finding', verdict: still(answer) };
  return { kind: 'finding', verdict: inconclusive(`${what} was answered ${answer}, not 401`) };
}

/**
 * A revocation endpoint that refuses to revoke an access token: RFC 7009 §2.2.1 lets a server
 * answer 400 `unsupported_token_type` for a type it does not revoke (JWT access tokens are often
 * left to expire), so that is reported, not failed; any other answer leaves nothing to test.
 */
function revocationRefused(status: number): Verdict {
  return status === 400
    ? warn('the revocation endpoint does not revoke access tokens (answered 400): they keep working until they expire (RFC 7009 §2.2.1 allows this)')
    : inconclusive(`revoking a fresh access token was answered ${status}`);
}

/**
 * A fresh access token of the check's own, revoked before it was ever used, then presented: no
 * cache can hold it, so still working means revocation is not checked at all (fail; for a JWT,
 * verified offline, a warning). The baseline's token working is the control.
 */
async function unusedRevokedPart(probe: Probe, endpoint: string): Promise<Part> {
  const { tokens } = await probe.fact('tokenBaseline');
  const control = await presentToken(probe, tokens.access_token);
  if (control.use !== 'accepted') {
    return {
      kind: 'finding',
      verdict: inconclusive(`the baseline's access token was answered ${describeResourceAnswer(control.response)}, so no refusal can be attributed`),
    };
  }
  const own = await obtainOwnTokens(probe);
  const token = own.tokens.accessToken;
  const status = await revoke(probe, endpoint, token);
  if (status !== 200) return { kind: 'finding', verdict: revocationRefused(status) };
  return deadTokenPart('a revoked access token never used before', await presentToken(probe, token), (answer) =>
    jwtClaimsOf(token) !== undefined
      ? warn(`a revoked JWT access token never used before still works (${answer}): JWTs are verified without revocation`)
      : fail(`a revoked access token never used before still works (${answer}): revocation is not checked`),
  );
}

/**
 * A fresh access token of the check's own that works (as a token in use does) is revoked and
 * presented again. Still working right after is a warning: a cache of verified tokens, or a JWT
 * verified offline, honours revocation late. With `--slow` it is presented once more a minute
 * later: an opaque token still working then fails (a JWT is reported: offline verification is a
 * known trade).
 */
async function usedRevokedPart(probe: Probe, endpoint: string): Promise<Part> {
  const own = await obtainOwnTokens(probe);
  const token = own.tokens.accessToken;
  const before = await presentToken(probe, token);
  if (before.use !== 'accepted') {
    return { kind: 'finding', verdict: inconclusive(`a fresh access token was answered ${describeResourceAnswer(before.response)} before any revocation`) };
  }
  const status = await revoke(probe, endpoint, token);
  if (status !== 200) return { kind: 'finding', verdict: revocationRefused(status) };
  const late = (answer: string) => warn(`a revoked access token that was in use still works right after (${answer}): ${LATE_REVOCATION}`);
  const right = deadTokenPart('a revoked access token that was in use', await presentToken(probe, token), late);
  if (right.kind !== 'finding' || right.verdict.status !== 'warn' || !probe.settings.slow) return right;
  await sleep(probe, REVOCATION_GRACE_SECONDS, 'to see whether a revoked access token stops working');
  const jwt = jwtClaimsOf(token) !== undefined;
  return deadTokenPart(`a revoked access token, ${REVOCATION_GRACE_SECONDS} s later,`, await presentToken(probe, token), (answer) =>
    jwt
      ? warn(`a revoked JWT access token still works ${REVOCATION_GRACE_SECONDS} s later (${answer}): it is verified without revocation until it expires`)
      : fail(`a revoked access token still works ${REVOCATION_GRACE_SECONDS} s later (${answer})`),
  );
}

/**
 * With `--slow`, waits for a fresh access token to expire and presents it again: a minute past
 * its `expires_in` (a resource server may allow for clock skew), then, if it still works, five
 * minutes past, which is more than the "few minutes" of leeway RFC 7519 §4.1.4 allows.
 */
async function expiredPart(probe: Probe): Promise<Part> {
  if (!probe.settings.slow) return { kind: 'skipped', why: 'expiry is tried only with --slow' };
  const own = await obtainOwnTokens(probe);
  const issued = performance.now();
  const lifetime = own.tokens.expiresIn;
  if (lifetime === undefined || lifetime > LONGEST_EXPIRY_WAIT_SECONDS) {
    return { kind: 'skipped', why: `expiry not waited for (the token lives ${lifetime === undefined ? 'an unknown time' : `${lifetime} s`})` };
  }
  const until = async (past: number) => {
    await sleep(probe, Math.max(0, Math.ceil(lifetime + past - (performance.now() - issued) / 1000)), `for an access token to be ${past} s past its expiry`);
    return presentToken(probe, own.tokens.accessToken);
  };
  const soon = deadTokenPart(`an access token ${EXPIRY_LEEWAY_SECONDS} s past its expiry`, await until(EXPIRY_LEEWAY_SECONDS), (answer) =>
    warn(`an access token ${EXPIRY_LEEWAY_SECONDS} s past its expiry still works (${answer})`),
  );
  if (soon.kind !== 'finding' || soon.verdict.status !== 'warn') return soon;
  const late = `an access token still accepted ${EXPIRY_LEEWAY_SECONDS} s past its expiry, ${LONGEST_LEEWAY_SECONDS} s past it,`;
  return deadTokenPart(late, await until(LONGEST_LEEWAY_SECONDS), (answer) =>
    fail(`an access token ${LONGEST_LEEWAY_SECONDS} s past its expiry still works (${answer})`),
  );
}

/**
 * RS-06: the MCP endpoint honours revocation and expiry. A fresh access token revoked at the
 * revocation endpoint (RFC 7009) before any use must get 401 `invalid_token`; so must one revoked
 * while in use, where still working right after is a warning (caches). With `--slow`, a fresh
 * token is also presented a minute (and if need be five) past its `expires_in`, when that is at
 * most about 10 minutes.
 * Destructive: grants of its own.
 * @see RFC 6750 §3.1 (`invalid_token`: "expired, revoked"); RFC 7009 §2; RFC 9068 §4
 */
export const RS_06: Check = {
  id: 'RS-06',
  async run(probe) {
    const endpoint = await revocationEndpointOf(probe);
    const parts: Part[] =
      endpoint === undefined ? [{ kind: 'skipped', why: 'revocation not tried (no revocation_endpoint)' }] : [await unusedRevokedPart(probe, endpoint)];
    // Worth a second grant only when the first part did not already find the worst.
    if (endpoint !== undefined && parts[0]?.kind === 'ok') parts.push(await usedRevokedPart(probe, endpoint));
    parts.push(await expiredPart(probe));
    const findings = parts.flatMap((part) => (part.kind === 'finding' ? [part.verdict] : []));
    const worst = findings.find((v) => v.status === 'fail') ?? findings.find((v) => v.status === 'inconclusive') ?? findings[0];
    if (worst !== undefined) return worst;
    const seen = parts.flatMap((part) => (part.kind === 'ok' ? [part.seen] : []));
    const skipped = parts.flatMap((part) => (part.kind === 'skipped' ? [part.why] : []));
    if (seen.length === 0) return notApplicable(skipped.join('; '));
    return pass([...seen, ...skipped].join('; '));
  },
};
