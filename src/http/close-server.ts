import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Stops a node:http server and resolves once it is closed. `close()` alone waits for every idle
 * keep-alive connection to time out (5 s by default), so open connections are ended at once too.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface DrainOptions {
  /** How long requests being answered may take to finish before their connections are cut. */
  graceMs: number;
  /**
   * Called when the grace ends with requests still unanswered, just before their connections are
   * cut: the moment to end open event streams cleanly, so their clients see the end of a stream
   * rather than a reset. Gets how many responses were unfinished.
   */
  onGraceExpired?: (unfinished: number) => void;
}

export interface DrainResult {
  /** Responses still unfinished when the grace ended (0 when everything finished in time). */
  readonly unfinished: number;
}

/** Closes a server gracefully; see {@link drainableHttpServer}. */
export interface HttpServerDrain {
  /** Responses started and not yet finished. */
  readonly inFlight: number;
  drain(options: DrainOptions): Promise<DrainResult>;
}

/** After the grace's end streams were asked to end, the time they get to flush their last bytes. */
const STREAM_END_FLUSH_MS = 100;

/**
 * Watches a node:http server's requests so it can be closed without cutting a request short
 * (what SIGTERM asks of a server: Kubernetes, systemd and compose all send it, then SIGKILL after
 * a grace). `drain` stops accepting connections at once, ends idle keep-alive connections, lets
 * requests being answered finish, each with `Connection: close` when its headers are not sent yet
 * (RFC 9112 §9.6: the client then knows not to send another on that connection), and ends each
 * connection as its last response finishes. At the end of `graceMs`, whatever is left is cut.
 * Call it right after the server is created, before it gets requests.
 */
export function drainableHttpServer(server: Server): HttpServerDrain {
  const responses = new Set<ServerResponse>();
  let draining = false;
  let onIdle: (() => void) | undefined;

  const askToCloseConnection = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  };
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (response.writableFinished) return;
    responses.add(response);
    if (draining) askToCloseConnection(response);
    response.once('close', () => {
      responses.delete(response);
      if (!draining) return;
      // A response whose headers went out before the drain left its connection keep-alive: once
      // idle (after this turn of the event loop), it is ended here rather than left to time out.
      setImmediate(() => server.closeIdleConnections());
      if (responses.size === 0) onIdle?.();
    });
  });

  return {
    get inFlight() {
      return responses.size;
    },
    drain(options) {
      draining = true;
      for (const response of responses) askToCloseConnection(response);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const finished = new Promise<number>((resolve) => {
        if (responses.size === 0) return resolve(0);
        const timer = setTimeout(() => {
          const unfinished = responses.size;
          onIdle = () => resolve(unfinished);
          options.onGraceExpired?.(unfinished);
          setTimeout(() => resolve(unfinished), STREAM_END_FLUSH_MS);
        }, options.graceMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve(0);
        };
      });
      return finished.then(async (unfinished) => {
        server.closeAllConnections();
        await closed;
        return { unfinished };
      });
    },
  };
}
