import type { Check } from '../../check.js';
import { fail, NotReachedError, pass } from '../../verdict.js';

/**
 * TOK-01: the compliant flow works: authorization code with PKCE S256, `state`, `resource`, the
 * response's `iss`, and the code redeemed for an access token. Every other logged-in check builds
 * on it; when it fails, the audit is incomplete.
 * @see OAuth 2.1 §4.1; RFC 7636 §4.5; RFC 8707 §2.2
 */
export const TOK_01: Check = {
  id: 'TOK-01',
  async run(probe) {
    try {
      const { tokens } = await probe.fact('tokenBaseline');
      return pass(`code redeemed for a ${tokens.token_type} access token${tokens.refresh_token !== undefined ? ' and a refresh token' : ''}`);
    } catch (error) {
      if (error instanceof NotReachedError && error.step === 'token') return fail(error.message);
      throw error;
    }
  },
};
