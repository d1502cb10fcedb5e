import http from 'node:http';
import https from 'node:https';
import { readWebRequestBody } from '../http/size-limited-body.js';
import { foldHeaderName, HOP_BY_HOP_HEADERS, isDroppedClientHeader } from './forwarded-header-names.js';
import { mcpTransportErrorResponse } from './json-rpc-error.js';

/**
 * The gateway's reverse proxy to one upstream Streamable HTTP MCP endpoint (docs/gateway.md). Request
 * bodies arrive already read (the gateway parses each JSON-RPC message for its scope check);
 * response bodies, JSON or server-sent events, stream through chunk by chunk. node:http with a
 * keep-alive agent rather than fetch: on loopback it adds less latency per request (the proxy
 * overhead in README.md "Performance", bench/README.md), and it gives direct control of the
 * socket for aborts.
 * @see MCP Basic, Transports, "Streamable HTTP"
 */

/** What the SDK's own HTTP entry points accept (`DEFAULT_MAX_REQUEST_BODY_SIZE`, 4 MiB): the gateway refuses nothing its upstream would take. */
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Time allowed until the upstream's response headers; a stream may then stay open indefinitely. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

export interface UpstreamProxyOptions {
  /** The upstream MCP endpoint, `http(s)://host:port/path`. The gateway's MCP endpoint maps to it exactly. */
  readonly upstream: string | URL;
  /** Until response headers arrive; then 504. Default 30 s. */
  readonly timeoutMs?: number;
  /** Request body limit in bytes; over it, 413. Default 4 MiB. */
  readonly maxRequestBytes?: number;
  /** More header names never taken from the client, because the gateway sets them (e.g. the upstream-token header). */
  readonly reservedHeaders?: readonly string[];
  /** Told of each request the upstream failed (502, 504), for logs. */
  readonly onUpstreamFailure?: (failure: UpstreamFailure) => void;
  /** Told of each upstream response: its status and the seconds until its headers arrived (metrics). */
  readonly onUpstreamResponse?: (status: number, seconds: number) => void;
  /** Told when an event stream from the upstream starts flowing to a client; what it returns is called when the stream ends (metrics). */
  readonly onEventStream?: () => () => void;
}

/** Why a request did not reach the upstream or got no usable answer. `code` is the socket error's (e.g. `ECONNREFUSED`). */
export interface UpstreamFailure {
  readonly reason: 'upstream_unavailable' | 'upstream_timeout' | 'upstream_invalid_response' | 'upstream_request_invalid';
  readonly code?: string | undefined;
}

/** Calls `onGone` if the client disconnects; returns a function that stops watching. */
export type ClientWatcher = (onGone: () => void) => () => void;

/** Watches the web request's abort signal. */
const watchSignal =
  (request: Request): ClientWatcher =>
  (onGone) => {
    if (request.signal.aborted) {
      queueMicrotask(onGone);
      return () => {};
    }
    request.signal.addEventListener('abort', onGone, { once: true });
    return () => request.signal.removeEventListener('abort', onGone);
  };

export interface UpstreamProxy {
  readonly upstream: URL;
  readonly maxRequestBytes: number;
  /**
   * Forwards `request` to the upstream and resolves with its response, streaming. `extraHeaders`
   * are set last (identity headers, the unbound session id); `body` is the request body the
   * gateway already read, if any. `watchClient` tells when the client goes away before the
   * response starts (default: `request.signal`, which on @hono/node-server costs a full web
   * Request per call; the gateway passes the socket's close event instead). Never rejects:
   * failures become 413, 502 or 504 responses.
   */
  forward(request: Request, extraHeaders?: Readonly<Record<string, string>>, body?: Uint8Array, watchClient?: ClientWatcher): Promise<Response>;
  /**
   * Ends response streams being passed on, as a clean end of the body (the client sees the stream
   * end, not a reset), and aborts their upstream requests: `listening` the GET streams (MCP's
   * standalone stream, which only ends when someone ends it), `all` every one. For shutdown; returns how many.
   */
  endStreams(which: 'listening' | 'all'): number;
  /** Closes idle upstream connections. */
  close(): void;
}

/** A response body being streamed to a client, and how to end it cleanly. */
interface OpenStream {
  readonly listening: boolean;
  end(): void;
}

const SMALL_MESSAGE_BYTES = 64 * 1024;

/** 413 for a request body over `maxBytes`. @see RFC 9110 §15.5.14 */
export function requestTooLargeResponse(maxBytes: number): Response {
  return mcpTransportErrorResponse(413, `Payload Too Large: request body must not exceed ${maxBytes} bytes`, 'request_too_large');
}

/** Names listed in a `Connection` header, which are hop-by-hop too. @see RFC 9110 §7.6.1 */
function connectionOptions(value: string | null | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
}

/**
 * The headers sent upstream: end-to-end headers of the client (MCP's `Mcp-Session-Id`,
 * `MCP-Protocol-Version`, `Last-Event-ID`, `Accept`, `Content-Type`, …) minus credentials and
 * forged identity in any spelling an upstream might fold onto them (forwarded-header-names.ts),
 * then `extraHeaders`.
 */
function upstreamRequestHeaders(
  request: Request,
  upstream: URL,
  extraHeaders: Readonly<Record<string, string>>,
  body: Uint8Array | undefined,
  reserved: ReadonlySet<string>,
): http.OutgoingHttpHeaders {
  const named = connectionOptions(request.headers.get('connection'));
  const headers: http.OutgoingHttpHeaders = {};
  request.headers.forEach((value, name) => {
    if (isDroppedClientHeader(name, named, reserved)) return;
    headers[name] = value;
  });
  for (const [name, value] of Object.entries(extraHeaders)) headers[name.toLowerCase()] = value;
  headers['host'] = upstream.host;
  if (body !== undefined) headers['content-length'] = String(body.byteLength);
  return headers;
}

/** The upstream's response headers minus hop-by-hop ones and `Set-Cookie`: the upstream gets no cookies, and must not set any on the authorization server's origin. */
function clientResponseHeaders(response: http.IncomingMessage): Headers {
  const named = connectionOptions(response.headers.connection);
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(name) && name !== 'content-length') continue;
    if (named.has(name) || name === 'set-cookie' || name.startsWith('proxy-')) continue;
    headers.append(name, raw[i + 1]!);
  }
  return headers;
}

/**
 * The upstream's response body as a web stream that yields each chunk as it arrives and aborts the
 * upstream request when cancelled (client gone). While open it is in `open`, so a shutdown can end it.
 */
function streamResponseBody(
  upstreamResponse: http.IncomingMessage,
  abortUpstream: () => void,
  open: Set<OpenStream>,
  listening: boolean,
): ReadableStream<Uint8Array> {
  let cancelled = false;
  let controllerOf: ReadableStreamDefaultController<Uint8Array> | undefined;
  const tracked: OpenStream = {
    listening,
    end() {
      // Closed, not errored: what was already read still reaches the client, then the end of the body.
      if (cancelled) return;
      cancelled = true;
      open.delete(tracked);
      abortUpstream();
      controllerOf?.close();
    },
  };
  open.add(tracked);
  upstreamResponse.once('close', () => open.delete(tracked));
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controllerOf = controller;
      upstreamResponse.on('data', (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) upstreamResponse.pause();
      });
      upstreamResponse.once('end', () => !cancelled && controller.close());
      upstreamResponse.once('close', () => {
        // A premature close (upstream died mid-stream) must reach the client as an error, not as a clean end.
        if (!upstreamResponse.complete && !cancelled) controller.error(new Error('upstream closed the response early'));
      });
    },
    pull() {
      upstreamResponse.resume();
    },
    cancel() {
      cancelled = true;
      abortUpstream();
    },
  });
}

/**
 * A JSON-RPC response of known, small length is read whole before it is passed on: a client can
 * do nothing with part of one JSON message, and a complete body takes the HTTP server's fast path
 * (about half the proxy's overhead on loopback). Event streams, and anything without a
 * `Content-Length` or over 64 KiB, stream chunk by chunk.
 */
function isSmallCompleteMessage(response: http.IncomingMessage): boolean {
  const length = Number(response.headers['content-length'] ?? Number.NaN);
  return (
    Number.isSafeInteger(length) && length <= SMALL_MESSAGE_BYTES && !(response.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream')
  );
}

/** Whether the upstream could not be reached at all, so the request may be retried once. */
function isStaleKeepAliveSocket(request: http.ClientRequest, error: NodeJS.ErrnoException): boolean {
  return request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}

/**
 * Builds the reverse proxy. The upstream URL is validated here, at configuration time.
 * @see RFC 9110 §7.6 (message forwarding), docs/design.md invariant 9
 */
export function createUpstreamProxy(options: UpstreamProxyOptions): UpstreamProxy {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') throw new TypeError(`upstream must be an http(s) URL, not ${upstream.protocol}`);
  if (upstream.username !== '' || upstream.password !== '' || upstream.hash !== '') throw new TypeError('upstream must not carry credentials or a fragment');
  const timeoutMs = options.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  if (!(timeoutMs > 0) || !(maxRequestBytes > 0)) throw new RangeError('timeoutMs and maxRequestBytes must be positive');
  const transport = upstream.protocol === 'https:' ? https : http;
  const hostname = upstream.hostname.replace(/^\[(.*)\]$/, '$1');
  const reserved = new Set((options.reservedHeaders ?? []).map(foldHeaderName));
  const agent = new transport.Agent({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: 256 });
  const openStreams = new Set<OpenStream>();
  // Named in every 502 and 504, so the person at the client knows which server is down. The origin
  // only: the path may carry something private, and the URL has no userinfo (refused above).
  const upstreamName = upstream.origin;

  /** The JSON-RPC error for a failed upstream, reported to `onUpstreamFailure`. */
  function upstreamFailed(status: number, message: string, reason: UpstreamFailure['reason'], code?: string): Response {
    options.onUpstreamFailure?.({ reason, code });
    return mcpTransportErrorResponse(status, message, reason);
  }

  /** The upstream's path, with the client's query string verbatim (after the upstream's own, if any). */
  function upstreamPath(request: Request): string {
    const query = new URL(request.url).search.slice(1);
    if (query === '') return upstream.pathname + upstream.search;
    return `${upstream.pathname}${upstream.search === '' ? '?' : `${upstream.search}&`}${query}`;
  }

  function send(
    request: Request,
    headers: http.OutgoingHttpHeaders,
    body: Uint8Array | undefined,
    watchClient: ClientWatcher,
    retried: boolean,
  ): Promise<Response> {
    return new Promise<Response>((resolve) => {
      const path = upstreamPath(request);
      const upstreamRequest = transport.request({ protocol: upstream.protocol, hostname, port: upstream.port, path, method: request.method, headers, agent });
      const sentAt = options.onUpstreamResponse === undefined ? 0 : performance.now();
      let settled = false;
      const abortUpstream = (): void => {
        upstreamRequest.destroy();
      };
      const finish = (response: Response): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(response);
      };
      const onClientAbort = (): void => {
        abortUpstream();
        finish(new Response(null, { status: 499 }));
      };
      const timer = setTimeout(() => {
        abortUpstream();
        finish(upstreamFailed(504, `Gateway Timeout: the upstream MCP server ${upstreamName} did not answer in time`, 'upstream_timeout'));
      }, timeoutMs);
      const stopWatching = watchClient(onClientAbort);
      upstreamRequest.once('close', stopWatching);

      upstreamRequest.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        if (!retried && isStaleKeepAliveSocket(upstreamRequest, error)) {
          settled = true;
          clearTimeout(timer);
          resolve(send(request, headers, body, watchClient, true));
          return;
        }
        finish(upstreamFailed(502, `Bad Gateway: the upstream MCP server ${upstreamName} is unavailable`, 'upstream_unavailable', error.code));
      });
      upstreamRequest.once('response', (upstreamResponse) => {
        const status = upstreamResponse.statusCode ?? 0;
        if (status < 200 || status > 599) {
          abortUpstream();
          return finish(upstreamFailed(502, `Bad Gateway: the upstream MCP server ${upstreamName} sent an invalid status`, 'upstream_invalid_response'));
        }
        options.onUpstreamResponse?.(status, (performance.now() - sentAt) / 1000);
        const headers = clientResponseHeaders(upstreamResponse);
        if (request.method === 'HEAD' || status === 204 || status === 304) {
          upstreamResponse.resume();
          finish(new Response(null, { status, headers }));
        } else if (isSmallCompleteMessage(upstreamResponse)) {
          // Still under the timer: a stalled body ends in 504 too.
          const chunks: Buffer[] = [];
          upstreamResponse.on('data', (chunk: Buffer) => chunks.push(chunk));
          upstreamResponse.once('end', () => finish(new Response(Buffer.concat(chunks), { status, headers })));
          upstreamResponse.once('close', () => {
            if (!upstreamResponse.complete)
              finish(upstreamFailed(502, `Bad Gateway: the upstream MCP server ${upstreamName} closed the response early`, 'upstream_unavailable'));
          });
        } else {
          if ((upstreamResponse.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream') && options.onEventStream !== undefined) {
            // 'close' follows the end, a cancel by the client and a shutdown's end alike.
            upstreamResponse.once('close', options.onEventStream());
          }
          finish(new Response(streamResponseBody(upstreamResponse, abortUpstream, openStreams, request.method === 'GET'), { status, headers }));
        }
      });
      upstreamRequest.end(body);
    });
  }

  return {
    upstream,
    maxRequestBytes,
    async forward(request, extraHeaders = {}, body, watchClient) {
      let requestBody = body;
      if (requestBody === undefined && request.body !== null && !request.bodyUsed) {
        requestBody = (await readWebRequestBody(request, maxRequestBytes)) ?? undefined;
        if (requestBody === undefined) return requestTooLargeResponse(maxRequestBytes);
      }
      if (requestBody !== undefined && requestBody.byteLength > maxRequestBytes) return requestTooLargeResponse(maxRequestBytes);
      try {
        return await send(
          request,
          upstreamRequestHeaders(request, upstream, extraHeaders, requestBody, reserved),
          requestBody,
          watchClient ?? watchSignal(request),
          false,
        );
      } catch {
        // node:http refuses a header value it cannot send (CR, LF): the request cannot be forwarded as is.
        return upstreamFailed(502, 'Bad Gateway: the request could not be forwarded', 'upstream_request_invalid');
      }
    },
    endStreams(which) {
      let ended = 0;
      for (const stream of [...openStreams]) {
        if (which === 'listening' && !stream.listening) continue;
        stream.end();
        ended += 1;
      }
      return ended;
    },
    close() {
      agent.destroy();
    },
  };
}
