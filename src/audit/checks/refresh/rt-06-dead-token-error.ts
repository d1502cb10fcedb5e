import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { revocationEndpointOf, revoke } from '../revocation/revocation-probe.js';
import { describeAnswer, obtainOwnRefreshToken, refreshTokens, type TokenAnswer } from '../token/token-probe.js';

/** A dead refresh token of a grant of the check's own: revoked where the server has a revocation endpoint, else rotated out (a reuse then). */
async function deadRefreshToken(probe: Probe): Promise<{ readonly token: string; readonly how: string } | { readonly unusable: string }> {
  const own = await obtainOwnRefreshToken(probe);
  const endpoint = await revocationEndpointOf(probe);
  if (endpoint !== undefined) {
    const status = await revoke(probe, endpoint, own.refreshToken);
    if (status === 200) return { token: own.refreshToken, how: 'a revoked refresh token' };
    return { unusable: `revoking the refresh token was answered ${status}` };
  }
  const rotation = await refreshTokens(probe, own.refreshToken);
  if (rotation.tokens?.refreshToken === undefined || rotation.tokens.refreshToken === own.refreshToken) {
    return { unusable: `the refresh token could neither be revoked (no revocation_endpoint) nor rotated out (${describeAnswer(rotation)})` };
  }
  return { token: own.refreshToken, how: 'a rotated-out refresh token' };
}

/** What is wrong with the answer to a dead refresh token, or undefined when it is 400 invalid_grant. */
function problemOf(answer: TokenAnswer): string | undefined {
  if (answer.tokens !== undefined) return 'issued tokens';
  if (answer.status === 400 && answer.error === 'invalid_grant') return undefined;
  return `was answered ${describeAnswer(answer)}, not 400 invalid_grant`;
}

/**
 * RT-06: a dead refresh token gets `400 invalid_grant`, the answer a client acts on by signing
 * in again; a 401, a 500 or `invalid_request` leaves clients retrying or confused. Two dead
 * tokens: one the server never issued, and one of a fresh grant of the check's own, revoked (or,
 * without a revocation endpoint, rotated out).
 * @see RFC 6749 §5.2 (`invalid_grant`: "invalid, expired, revoked"); RFC 7009 §2.1
 */
export const RT_06: Check = {
  id: 'RT-06',
  async run(probe) {
    const unknown = await refreshTokens(probe, randomSecret(32));
    const dead = await deadRefreshToken(probe);
    if ('unusable' in dead) return inconclusive(`no dead refresh token to try: ${dead.unusable}`);
    const answer = await refreshTokens(probe, dead.token);
    const problems = [
      [dead.how, problemOf(answer)],
      ['a made-up refresh token', problemOf(unknown)],
    ].filter((entry): entry is [string, string] => entry[1] !== undefined);
    if (problems.length > 0) return fail(problems.map(([what, problem]) => `${what} ${problem}`).join('; '));
    return pass(`${dead.how} and a made-up one were both answered 400 invalid_grant`);
  },
};
