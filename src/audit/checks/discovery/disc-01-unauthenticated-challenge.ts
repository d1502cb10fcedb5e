import type { Check } from '../../check.js';
import { fail, notApplicable, pass } from '../../verdict.js';

/**
 * DISC-01: an MCP request without a token is answered 401 (RFC 6750 §3), which is what starts an
 * MCP client's discovery; a GET (the SSE stream) too, or 405 where the server offers none. A 2xx
 * is a server that needs no authorization, and its OAuth areas do not apply.
 * @see RFC 6750 §3; MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"
 */
export const DISC_01: Check = {
  id: 'DISC-01',
  async run(probe) {
    const challenge = await probe.fact('challenge');
    const status = challenge.response.status;
    if (challenge.isPublic) return notApplicable(`public server: initialize without a token was answered ${status}, so OAuth does not apply`);
    if (status !== 401) return fail(`initialize without a token was answered ${status}, not 401: an MCP client never starts discovery`);
    const get = await probe.fetch(probe.settings.target, { headers: { accept: 'text/event-stream' } });
    if (get.status >= 200 && get.status < 300) return fail(`GET without a token was answered ${get.status}: the event stream is open to anyone`);
    if (get.status !== 401 && get.status !== 405) return fail(`GET without a token was answered ${get.status}, not 401 (or 405 without a stream)`);
    return pass(`initialize without a token: 401; GET: ${get.status}`);
  },
};
