import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';

/**
 * TOK-02: the token response is 200 JSON with `Cache-Control: no-store` (a cached response would
 * hand tokens to the next reader), `access_token`, `token_type` and a numeric `expires_in`.
 * @see RFC 6749 §5.1; OAuth 2.1 §3.2.3
 */
export const TOK_02: Check = {
  id: 'TOK-02',
  async run(probe) {
    const { response } = await probe.fact('tokenBaseline');
    const body = response.json() as Record<string, unknown> | undefined;
    const problems: string[] = [];
    if (response.status !== 200) problems.push(`status ${response.status}`);
    if (!/application\/json/i.test(response.headers.get('content-type') ?? '')) problems.push('not served as application/json');
    if (!/\bno-store\b/i.test(response.headers.get('cache-control') ?? '')) problems.push('no Cache-Control: no-store');
    if (typeof body?.['access_token'] !== 'string') problems.push('no access_token');
    if (typeof body?.['token_type'] !== 'string') problems.push('no token_type');
    if (typeof body?.['expires_in'] !== 'number') problems.push(body?.['expires_in'] === undefined ? 'no expires_in' : 'expires_in is not a number');
    return problems.length === 0
      ? pass('200 JSON, no-store, access_token, token_type and a numeric expires_in')
      : fail(`the token response: ${problems.join('; ')}`);
  },
};
