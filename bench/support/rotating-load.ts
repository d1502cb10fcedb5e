import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface RotatingLoadOptions {
  /** Origin of the server. */
  url: string;
  tokenPath: string;
  clientId: string;
  /** One refresh token per connection; each connection then uses the one its last response returned. */
  refreshTokens: readonly string[];
  /** Whether every 2xx must carry a refresh_token different from the one presented. */
  expectRotation: boolean;
  seconds: number;
  /** Called about once a second while the load runs. */
  onProgress?: (elapsedSeconds: number, succeeded: number) => void;
}

export interface LoadResult {
  /** Measured wall time, seconds. */
  seconds: number;
  succeeded: number;
  reqPerSec: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  /** 2xx responses without a new refresh_token (only counted when rotation is expected). */
  notRotated: number;
  /** Latency of 2xx responses, milliseconds (microsecond resolution). */
  p50Ms: number;
  p99Ms: number;
  /** 2xx responses in each whole second of the run, to spot drift (a growing index, a busy machine). */
  perSecond: number[];
  /** The first failed response, for the error message. */
  firstFailure: string | undefined;
}

/**
 * Runs the refresh grant with rotation under autocannon: `refreshTokens.length` connections,
 * pipelining 1, for `seconds`. Each connection presents its own refresh token and replaces it with
 * the one in each response, so every request spends a live token.
 *
 * autocannon resets a request's `context` after every request when there is a single request in
 * the list, so the current token lives in a per-connection closure set up in `setupClient` instead.
 */
export function runRotatingLoad(options: RotatingLoadOptions): Promise<LoadResult> {
  const latencyMicros = createHistogram();
  let succeeded = 0;
  let notRotated = 0;
  let firstFailure: string | undefined;
  let nextConnection = 0;

  const setupClient = (client: autocannon.Client) => {
    const connection = { token: options.refreshTokens[nextConnection++ % options.refreshTokens.length]! };
    client.setRequests([
      {
        method: 'POST',
        path: options.tokenPath,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(connection.token)}&client_id=${encodeURIComponent(options.clientId)}`,
        }),
        onResponse: (status, body) => {
          if (status < 200 || status > 299) {
            firstFailure ??= `HTTP ${status}: ${body.slice(0, 300)}`;
            return;
          }
          succeeded++;
          let next: unknown;
          try {
            next = (JSON.parse(body) as { refresh_token?: unknown }).refresh_token;
          } catch {
            next = undefined;
          }
          if (!options.expectRotation) return;
          if (typeof next !== 'string' || next === '' || next === connection.token) {
            notRotated++;
            firstFailure ??= `HTTP ${status} without a new refresh_token: ${body.slice(0, 300)}`;
            return;
          }
          connection.token = next;
        },
      },
    ]);
    client.on('response', (status: number, _bytes: number, durationMs: number) => {
      if (status >= 200 && status <= 299) latencyMicros.record(Math.max(1, Math.round(durationMs * 1000)));
    });
  };

  return new Promise((resolve, reject) => {
    const started = performance.now();
    const perSecond: number[] = [];
    let counted = 0;
    const ticker = setInterval(() => {
      perSecond.push(succeeded - counted);
      counted = succeeded;
      options.onProgress?.(Math.round((performance.now() - started) / 1000), succeeded);
    }, 1000);
    autocannon(
      {
        url: `${options.url}${options.tokenPath}`,
        connections: options.refreshTokens.length,
        pipelining: 1,
        duration: options.seconds,
        timeout: 10,
        setupClient,
      },
      (error, result) => {
        clearInterval(ticker);
        if (error !== null) {
          reject(error);
          return;
        }
        const statusCodes: Record<string, number> = {};
        for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
        const seconds = result.duration;
        resolve({
          seconds,
          succeeded: result['2xx'],
          reqPerSec: result['2xx'] / seconds,
          non2xx: result.non2xx,
          statusCodes,
          errors: result.errors,
          timeouts: result.timeouts,
          notRotated,
          p50Ms: latencyMicros.count === 0 ? 0 : latencyMicros.percentile(50) / 1000,
          p99Ms: latencyMicros.count === 0 ? 0 : latencyMicros.percentile(99) / 1000,
          perSecond: perSecond.slice(0, Math.floor(seconds)),
          firstFailure,
        });
      },
    );
  });
}
