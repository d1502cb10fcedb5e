import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { fail, inconclusive, pass, type Verdict } from '../../verdict.js';
import { callResource, describeResourceAnswer, jsonRpcRequest, presentToken } from './resource-probe.js';

const TOOLS_LIST = jsonRpcRequest(2, 'tools/list');
const PROTOCOL_VERSION = '2025-06-18';

/**
 * RS-07: a session ID is no credential. The baseline's token opens a session (`initialize`);
 * the `Mcp-Session-Id` it gets is then sent with `tools/list` and no Authorization header: it
 * must get 401, or whoever learns a session ID (logs, a shared proxy, a guess) acts as its user.
 * When the server issues no session ID, a made-up one without a token is tried instead. A stale
 * (made-up) session ID with a good token must not cause a 5xx (MCP says 404).
 * @see MCP Security Best Practices "Session Hijacking"; MCP Transports "Session Management"
 */
export const RS_07: Check = {
  id: 'RS-07',
  async run(probe) {
    const { tokens } = await probe.fact('tokenBaseline');
    const opened = await presentToken(probe, tokens.access_token);
    if (opened.use !== 'accepted') return inconclusive(`initialize with the baseline's token was answered ${describeResourceAnswer(opened.response)}`);
    const issued = opened.response.headers.get('mcp-session-id') ?? undefined;
    const sessionId = issued ?? `portcullis-audit-${randomSecret(16)}`;
    const what = issued !== undefined ? 'the session ID initialize issued' : 'a made-up session ID (the server issued none)';
    const bare = await callResource(probe, { sessionId, protocolVersion: PROTOCOL_VERSION, body: TOOLS_LIST });
    const stale = await callResource(probe, {
      token: tokens.access_token,
      sessionId: `portcullis-audit-${randomSecret(16)}`,
      protocolVersion: PROTOCOL_VERSION,
      body: TOOLS_LIST,
    });
    return judge(what, bare.status, describeResourceAnswer(bare), stale.status, describeResourceAnswer(stale));
  },
};

function judge(what: string, bareStatus: number, bare: string, staleStatus: number, stale: string): Verdict {
  if (bareStatus >= 200 && bareStatus < 300) return fail(`tools/list with ${what} and no token was answered ${bare}`);
  const staleProblem = staleStatus >= 500 ? `; a stale session ID with a good token was answered ${stale}` : '';
  if (bareStatus !== 401) return fail(`tools/list with ${what} and no token was answered ${bare}, not 401${staleProblem}`, 'low');
  if (staleProblem !== '') return fail(`tools/list with ${what} and no token got 401${staleProblem}`, 'low');
  return pass(`tools/list with ${what} and no token got 401; a stale session ID with a good token got ${stale}`);
}
