import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html } from '../core/html.js';
import { closeHttpServer } from '../http/close-server.js';

/**
 * The redirect receiver of a terminal login: an HTTP listener on the loopback IP literal with a
 * port the OS picks, which waits for the one authorization response the browser brings back, shows
 * the person a short page, and goes away.
 * @see RFC 8252 §7.3 (loopback interface redirection), §8.3 (use the IP literal, not `localhost`)
 */

/** No authorization response arrived in time. */
export class LoopbackTimeoutError extends Error {
  readonly code = 'loopback_timeout';
  constructor(readonly timeoutMs: number) {
    super(`no redirect came back from the browser within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'LoopbackTimeoutError';
  }
}

/** What the page the browser is left on says. */
export type CallbackOutcome = { ok: true; message?: string } | { ok: false; error: string; description?: string };

/** One authorization response, held open until {@link LoopbackCallback.respond} answers it. */
export interface LoopbackCallback {
  /** The whole URL the browser was redirected to (`code`, `state`, `iss` or `error` in its query). */
  readonly url: URL;
  readonly params: URLSearchParams;
  /** Answers the browser with a success or error page (once; later calls do nothing). */
  respond(outcome: CallbackOutcome): void;
}

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/callback`: the redirect URI to register and send. */
  readonly redirectUrl: string;
  /**
   * Accept only a response carrying this `state`; any other gets a 400 page and waiting goes on,
   * so a page that merely knows the port cannot end the login with a forged response.
   */
  expectState(state: string): void;
  /** Resolves with the first acceptable response; rejects with {@link LoopbackTimeoutError}. */
  waitForCallback(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<LoopbackCallback>;
  /** Answers a response still held open, stops listening and drops every connection. */
  close(): Promise<void>;
}

export interface LoopbackRedirectOptions {
  /** Default `/callback`. */
  path?: string;
  /** Default 0: a random free port. */
  port?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const HOLD_MS = 30_000;
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  Connection: 'close',
} as const;

/**
 * Starts the receiver on `127.0.0.1`. Only `GET <path>` is answered as a callback; every other
 * path is a 404. Pages never show the code, the state or any token.
 * @see RFC 8252 §7.3
 */
export async function startLoopbackRedirect(options: LoopbackRedirectOptions = {}): Promise<LoopbackRedirect> {
  const path = options.path ?? '/callback';
  let expectedState: string | undefined;
  let accepted = false;
  let held: LoopbackCallback | undefined;
  const waiters: ((callback: LoopbackCallback) => void)[] = [];
  const queued: LoopbackCallback[] = [];
  const removeWaiter = (waiter: (callback: LoopbackCallback) => void) => {
    const index = waiters.indexOf(waiter);
    if (index >= 0) waiters.splice(index, 1);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path || accepted) return page(response, 404, 'Not found', 'There is nothing here.');
    if (request.method !== 'GET') return page(response, 405, 'Method not allowed', 'The authorization response comes back as a GET request.');
    if (expectedState !== undefined && url.searchParams.get('state') !== expectedState) {
      return page(response, 400, 'Unexpected response', 'This response does not belong to the login in progress; it was ignored. Return to the terminal.');
    }
    accepted = true;
    held = holdCallback(request, response, url);
    const waiter = waiters.shift();
    if (waiter) waiter(held);
    else queued.push(held);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    redirectUrl: `http://127.0.0.1:${port}${path}`,
    expectState(state) {
      expectedState = state;
    },
    waitForCallback({ timeoutMs = DEFAULT_TIMEOUT_MS, signal } = {}) {
      if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('the login was cancelled'));
      const ready = queued.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise<LoopbackCallback>((resolve, reject) => {
        const done = (callback: LoopbackCallback) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(callback);
        };
        const onAbort = () => {
          clearTimeout(timer);
          removeWaiter(done);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('the login was cancelled'));
        };
        const timer = setTimeout(() => {
          removeWaiter(done);
          signal?.removeEventListener('abort', onAbort);
          reject(new LoopbackTimeoutError(timeoutMs));
        }, timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(done);
      });
    },
    async close() {
      held?.respond({ ok: false, error: 'cancelled', description: 'The login ended before this response was used. Return to the terminal.' });
      await closeHttpServer(server);
    },
  };
}

function holdCallback(_request: IncomingMessage, response: ServerResponse, url: URL): LoopbackCallback {
  let answered = false;
  const respond = (outcome: CallbackOutcome) => {
    if (answered) return;
    answered = true;
    clearTimeout(fallback);
    if (outcome.ok) page(response, 200, 'Signed in', outcome.message ?? 'You are signed in. You can close this tab and return to the terminal.');
    else page(response, 400, 'Sign-in failed', `${outcome.error}${outcome.description ? `: ${outcome.description}` : ''}`);
  };
  // A caller that never answers must not leave the browser spinning.
  const fallback = setTimeout(() => respond({ ok: true, message: 'The response was received. Return to the terminal to see the result.' }), HOLD_MS);
  fallback.unref();
  return { url, params: url.searchParams, respond };
}

function page(response: ServerResponse, status: number, title: string, text: string): void {
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Portcullis: ${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>
<body><h1>${title}</h1><p>${text.slice(0, 500)}</p></body></html>
`;
  response.writeHead(status, PAGE_HEADERS).end(body.toString());
}
