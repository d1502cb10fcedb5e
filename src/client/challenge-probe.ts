import { parseChallenge } from '../core/www-authenticate.js';
import { assertAllowedServerUrl, REQUEST_TIMEOUT_MS } from './http-policy.js';
import type { FetchFunction } from './types.js';

/** What an MCP server answers a request without credentials. */
export interface ProbeResult {
  status: number;
  /** The parameters of its Bearer challenge, if it sent one. */
  challenge: Record<string, string> | null;
}

/**
 * Sends an MCP server a JSON-RPC `ping` without credentials and reads its `WWW-Authenticate`
 * Bearer challenge: its `resource_metadata` is where discovery looks first.
 * @see RFC 9728 §5.1; RFC 6750 §3; MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"
 */
export async function probeWithoutCredentials(serverUrl: string, fetchFunction: FetchFunction | undefined): Promise<ProbeResult> {
  const target = assertAllowedServerUrl(serverUrl, 'the server URL');
  const response = await (fetchFunction ?? fetch)(target.href, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 'portcullis-probe', method: 'ping' }),
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await response.body?.cancel();
  const header = response.headers.get('www-authenticate');
  return { status: response.status, challenge: header === null ? null : parseChallenge(header) };
}
