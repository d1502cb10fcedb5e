import { parseChallenge } from '../../core/www-authenticate.js';
import type { ProbeResponse } from '../guarded-fetch.js';
import type { Probe } from '../probe.js';
import { NotReachedError } from '../verdict.js';

/** What the MCP endpoint answers to a client that sends no token. */
export interface Challenge {
  readonly response: ProbeResponse;
  /** It answered 2xx: a server that needs no authorization (its OAuth areas do not apply). */
  readonly isPublic: boolean;
  /** The parameters of its `Bearer` challenge, or null when there is none. */
  readonly bearer: Readonly<Record<string, string>> | null;
}

/** The JSON-RPC `initialize` an MCP client sends first (MCP lifecycle), with no Authorization header. */
export const INITIALIZE_REQUEST = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'portcullis-audit', version: '1' } },
});

export const MCP_POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/**
 * POSTs `initialize` without a token, as an MCP client's first request.
 * @see MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"; RFC 6750 §3
 */
export async function observeChallenge(probe: Probe): Promise<Challenge> {
  let response: ProbeResponse;
  try {
    response = await probe.fetch(probe.settings.target, { method: 'POST', headers: MCP_POST_HEADERS, body: INITIALIZE_REQUEST });
  } catch (error) {
    throw new NotReachedError('challenge', `the target did not answer: ${(error as Error).message}`);
  }
  const header = response.headers.get('www-authenticate');
  return {
    response,
    isPublic: response.status >= 200 && response.status < 300,
    bearer: header === null ? null : parseChallenge(header, 'Bearer'),
  };
}
