import { connect } from 'node:net';

/** How long the start-up probe waits for the upstream to accept a connection. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether something accepts TCP connections at the upstream's host and port: resolves with
 * undefined if so, else with why not (`ECONNREFUSED`, `ENOTFOUND`, `timeout`, …). Only a
 * connection is opened, no HTTP request, so the probe has no effect on the upstream (an MCP GET
 * could open a stream). Never rejects. The gateway starts either way: the upstream may come up later.
 */
export function probeUpstream(upstream: URL, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const port = Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80));
  const host = upstream.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem: string | undefined): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
