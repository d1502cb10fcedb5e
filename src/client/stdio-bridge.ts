import type { Readable, Writable } from 'node:stream';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
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
  onSendError?: (error: Error) => 'close' | void;
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

/**
 * Starts relaying between stdio and the remote server. The HTTP side connects lazily: the first
 * message (the client's `initialize`) opens the session.
 */
export async function startStdioBridge(options: StdioBridgeOptions): Promise<StdioBridge> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const stdin = options.stdin ?? process.stdin;
  const stdio = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const http = new StreamableHTTPClientTransport(new URL(options.serverUrl), {
    ...(options.authProvider !== undefined ? { authProvider: options.authProvider } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
  });
  const initializeIds = new Set<RequestId>();
  let ending: Promise<void> | undefined;
  let endResolve!: (reason: StdioBridgeEnd) => void;
  const closed = new Promise<StdioBridgeEnd>((resolve) => (endResolve = resolve));

  const end = (reason: StdioBridgeEnd): Promise<void> => {
    ending ??= (async () => {
      logger.info({ event: 'bridge_closing', reason }, 'closing the bridge');
      stdin.off('end', onStdinEnd);
      stdin.off('close', onStdinEnd);
      if (reason !== 'remote-closed') await withTimeout(http.terminateSession().catch(() => undefined), TERMINATE_TIMEOUT_MS);
      http.onclose = undefined;
      await http.close().catch(() => undefined);
      stdio.onclose = undefined;
      await stdio.close().catch(() => undefined);
      endResolve(reason);
    })();
    return ending;
  };
  const onStdinEnd = () => void end('stdin-closed');

  stdio.onmessage = (message) => {
    if (ending) return;
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializeIds.add(message.id);
    logger.debug({ event: 'to_server', ...describe(message) }, 'relaying to the server');
    http.send(message).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      logger.warn({ event: 'send_failed', ...describe(message), error: failure.name }, `could not deliver a message to the server: ${redactMessage(failure.message)}`);
      const reply = isJSONRPCRequest(message)
        ? stdio.send({ jsonrpc: '2.0', id: message.id, error: { code: BRIDGE_DELIVERY_ERROR, message: `the bridge could not deliver the request to ${new URL(options.serverUrl).origin}: ${redactMessage(failure.message)}` } })
        : Promise.resolve();
      void reply.then(() => {
        if (options.onSendError?.(failure) === 'close') return end('send-error');
        // MCP Streamable HTTP, "Session Management": a 404 for a request with a session id means
        // the server ended the session. The stdio client must start over, so the bridge ends.
        if (failure instanceof StreamableHTTPError && failure.code === 404 && http.sessionId !== undefined) {
          logger.warn({ event: 'remote_session_ended' }, 'the server ended the MCP session');
          return end('remote-closed');
        }
        return undefined;
      });
    });
  };
  stdio.onerror = (error) => logger.warn({ event: 'stdin_invalid', error: error.name }, 'ignored input on stdin that is not a JSON-RPC message');
  stdio.onclose = () => void end('stdin-closed');

  http.onmessage = (message) => {
    if (isJSONRPCResultResponse(message) && initializeIds.delete(message.id)) {
      // The SDK's Client does this after initialize; a bridge must too, so later requests carry
      // the negotiated MCP-Protocol-Version header.
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') http.setProtocolVersion(version);
    }
    logger.debug({ event: 'to_client', ...describe(message) }, 'relaying to the client');
    stdio.send(message).catch((error: unknown) => logger.warn({ event: 'stdout_failed', error: String(error) }, 'could not write to stdout'));
  };
  http.onerror = (error) => logger.warn({ event: 'server_stream_error', error: error.name }, redactMessage(error.message));
  http.onclose = () => void end('remote-closed');

  stdin.once('end', onStdinEnd);
  stdin.once('close', onStdinEnd);
  await http.start();
  await stdio.start();
  logger.info({ event: 'bridge_started', server: new URL(options.serverUrl).origin }, 'relaying stdio to the remote MCP server');
  return { closed, close: () => end('closed') };
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
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
