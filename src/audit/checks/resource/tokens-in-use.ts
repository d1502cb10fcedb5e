import type { Probe } from '../../probe.js';
import { presentToken, type TokenUse } from './resource-probe.js';

/**
 * Whether a token that should have been revoked by what a check did still works, presented for
 * the first time only now, so no cache of verified tokens can hold it (RS-06 reports caches).
 * `unknown` when the baseline's own token does not work either: then nothing can be put down to
 * the revocation.
 */
export async function revokedTokenUse(probe: Probe, token: string): Promise<TokenUse | 'unknown'> {
  const { tokens } = await probe.fact('tokenBaseline');
  if ((await presentToken(probe, tokens.access_token)).use !== 'accepted') return 'unknown';
  return (await presentToken(probe, token)).use;
}
