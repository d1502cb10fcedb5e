import type { Readable, Writable } from 'node:stream';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import pino, { type Logger } from 'pino';

/**
 * A stdio ↔ Streamable HTTP bridge: a stdio-only MCP client (one that starts servers as child
 * processes) talks JSON-RPC on our stdin and stdout, and every message is relayed to a remote MCP
 * server over Streamable HTTP, with OAuth done by `authProvider`; everything the server sends
 * (responses, notifications, its own requests) comes back the same way.
 *
 * stdout carries nothing but JSON-RPC: logs go to the logger (stderr in the CLI), and they name
 * methods and ids, never message contents or tokens.
 * @see MCP Basic, Transports: "stdio" and "Streamable HTTP"
 */

export interface StdioBridgeOptions {
  /** The remote MCP endpoint, e.g. `https://mcp.example.com/mcp`. */
  serverUrl: string | URL;
  /** Supplies and refreshes the access token; without one the server is called without auth. */
  authProvider?: OAuthClientProvider;
  /** Default `process.stdin`. */
  stdin?: Readable;
  /** Default `process.stdout`. */
  stdout?: Writable;
  /** Structured logs (never message contents); default silent. */
  logger?: Logger;
  fetch?: FetchLike;
  /**
   * Told of every failure to deliver a message to the server (after the stdio client got a
   * JSON-RPC error for it, if it was a request). Return `'close'` to end the bridge, e.g. when the
   * user must log in again.
   */
  onSendError?: (error: Error) => 'close' | undefined;
}

export type StdioBridgeEnd = 'stdin-closed' | 'remote-closed' | 'closed' | 'send-error';

export interface StdioBridge {
  /**
   * Resolves once both sides are closed, with what ended the bridge: stdin ended, the server ended
   * the MCP session (404 for its session id), `close()`, or `onSendError` asked to close.
   */
  readonly closed: Promise<StdioBridgeEnd>;
  /** Ends the MCP session at the server (HTTP DELETE), then closes both sides. */
  close(): Promise<void>;
}

/** JSON-RPC error code for "the bridge could not deliver this request". Implementation-defined range. @see JSON-RPC 2.0 §5.1 */
export const BRIDGE_DELIVERY_ERROR = -32000;
const TERMINATE_TIMEOUT_MS = 2000;
/** After stdin ends, how long answers to requests already sent may still arrive. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Starts relaying between stdio and the remote server. The HTTP side connects lazily: the first
 * message (the client's `initialize`) opens the session.
 */
export async function startStdioBridge(options: StdioBridgeOptions): Promise<StdioBridge> {
  const relay = new BridgeRelay(options);
  await relay.start();
  return { closed: relay.closed, close: () => relay.end('closed') };
}

/** The two transports and what is in flight between them. */
class BridgeRelay {
  private readonly logger: Logger;
  private readonly stdin: Readable;
  private readonly stdio: StdioServerTransport;
  private readonly http: StreamableHTTPClientTransport;
  private readonly origin: string;
  /** `initialize` requests not yet answered, by id, with what releases the messages held behind them. */
  private readonly initializing = new Map<RequestId, () => void>();
  /** Messages wait for this while an `initialize` is in flight: the session id comes with its answer. */
  private initialized: Promise<void> | undefined;
  /**
   * Requests sent on and not yet answered: when stdin ends (`echo … | portcullis connect`), their
   * answers are still written before the bridge closes.
   */
  private readonly inFlight = new Set<RequestId>();
  private drained: (() => void) | undefined;
  private stdinEnded = false;
  private ending: Promise<void> | undefined;
  private resolveClosed!: (reason: StdioBridgeEnd) => void;
  readonly closed = new Promise<StdioBridgeEnd>((resolve) => (this.resolveClosed = resolve));

  constructor(private readonly options: StdioBridgeOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.stdin = options.stdin ?? process.stdin;
    this.stdio = new StdioServerTransport(this.stdin, options.stdout ?? process.stdout);
    this.origin = new URL(options.serverUrl).origin;
    this.http = new StreamableHTTPClientTransport(new URL(options.serverUrl), {
      ...(options.authProvider !== undefined ? { authProvider: options.authProvider } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
  }

  async start(): Promise<void> {
    this.stdio.onmessage = (message) => this.fromClient(message);
    this.stdio.onerror = (error) => this.logger.warn({ event: 'stdin_invalid', error: error.name }, 'ignored input on stdin that is not a JSON-RPC message');
    this.stdio.onclose = () => void this.end('stdin-closed');
    this.http.onmessage = (message) => this.fromServer(message);
    this.http.onerror = (error) => this.logger.warn({ event: 'server_stream_error', error: error.name }, redactMessage(error.message));
    this.http.onclose = () => void this.end('remote-closed');
    this.stdin.once('end', this.onStdinEnd);
    this.stdin.once('close', this.onStdinEnd);
    await this.http.start();
    await this.stdio.start();
    this.logger.info({ event: 'bridge_started', server: this.origin }, 'relaying stdio to the remote MCP server');
  }

  /** Ends the MCP session at the server (unless the server ended it), then closes both sides, once. */
  end(reason: StdioBridgeEnd): Promise<void> {
    this.ending ??= (async () => {
      this.logger.info({ event: 'bridge_closing', reason }, 'closing the bridge');
      this.stdin.off('end', this.onStdinEnd);
      this.stdin.off('close', this.onStdinEnd);
      if (reason !== 'remote-closed')
        await withTimeout(
          this.http.terminateSession().catch(() => undefined),
          TERMINATE_TIMEOUT_MS,
        );
      delete this.http.onclose;
      await this.http.close().catch(() => undefined);
      delete this.stdio.onclose;
      await this.stdio.close().catch(() => undefined);
      this.resolveClosed(reason);
    })();
    return this.ending;
  }

  private readonly onStdinEnd = () => {
    // 'end' and then 'close' both arrive; act once.
    if (this.stdinEnded) return;
    this.stdinEnded = true;
    if (this.inFlight.size === 0) return void this.end('stdin-closed');
    void withTimeout(new Promise<void>((resolve) => (this.drained = resolve)), DRAIN_TIMEOUT_MS).then(() => this.end('stdin-closed'));
  };

  private fromClient(message: JSONRPCMessage): void {
    if (this.ending) return;
    if (isJSONRPCRequest(message)) this.inFlight.add(message.id);
    if (isJSONRPCRequest(message) && message.method === 'initialize') {
      let release!: () => void;
      const previous = this.initialized ?? Promise.resolve();
      this.initialized = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
      this.initializing.set(message.id, () => release());
      void previous.then(() => this.toServer(message));
      return;
    }
    const gate = this.initialized;
    if (gate === undefined) this.toServer(message);
    else void gate.then(() => this.toServer(message));
  }

  private toServer(message: JSONRPCMessage): void {
    this.logger.debug({ event: 'to_server', ...describe(message) }, 'relaying to the server');
    this.http.send(message).catch((error: unknown) => this.undeliverable(message, error instanceof Error ? error : new Error(String(error))));
  }

  /** Answers a request that could not be delivered with a JSON-RPC error, and decides whether to go on. */
  private async undeliverable(message: JSONRPCMessage, failure: Error): Promise<void> {
    this.logger.warn(
      { event: 'send_failed', ...describe(message), error: failure.name },
      `could not deliver a message to the server: ${redactMessage(failure.message)}`,
    );
    if (isJSONRPCRequest(message)) {
      const text = `the bridge could not deliver the request to ${this.origin}: ${redactMessage(failure.message)}`;
      await this.stdio.send({ jsonrpc: '2.0', id: message.id, error: { code: BRIDGE_DELIVERY_ERROR, message: text } }).catch(() => undefined);
      this.answered(message.id);
    }
    if (this.options.onSendError?.(failure) === 'close') return this.end('send-error');
    // MCP Streamable HTTP, "Session Management": a 404 for a request with a session id means the
    // server ended the session. The stdio client must start over, so the bridge ends.
    if (failure instanceof StreamableHTTPError && failure.code === 404 && this.http.sessionId !== undefined) {
      this.logger.warn({ event: 'remote_session_ended' }, 'the server ended the MCP session');
      return this.end('remote-closed');
    }
    return undefined;
  }

  private fromServer(message: JSONRPCMessage): void {
    if (isJSONRPCResultResponse(message) && this.initializing.has(message.id)) {
      // The SDK's Client does this after initialize; a bridge must too, so later requests carry
      // the negotiated MCP-Protocol-Version header.
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') this.http.setProtocolVersion(version);
    }
    this.logger.debug({ event: 'to_client', ...describe(message) }, 'relaying to the client');
    this.stdio
      .send(message)
      .catch((error: unknown) => this.logger.warn({ event: 'stdout_failed', error: String(error) }, 'could not write to stdout'))
      .finally(() => {
        if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) this.answered(message.id);
      });
  }

  /** A request got its answer (or its error): release what waited on it. */
  private answered(id: RequestId): void {
    this.initializing.get(id)?.();
    this.initializing.delete(id);
    if (this.inFlight.delete(id) && this.inFlight.size === 0) this.drained?.();
  }
}

/** What a log line may say about a message: its kind, method and id, never its params or result. */
function describe(message: JSONRPCMessage): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if ('method' in message) fields['method'] = message.method;
  if ('id' in message) fields['id'] = message.id;
  if ('error' in message) fields['rpcError'] = message.error.code;
  return fields;
}

/** Error texts can quote server responses; keep them short and strip anything token-shaped. */
function redactMessage(text: string): string {
  return text
    .replace(/(bearer|token|code|secret)(["'\s:=]+)[^\s"',&]+/gi, '$1$2[redacted]')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]')
    .slice(0, 300);
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms).unref()))]);
  clearTimeout(timer);
}
