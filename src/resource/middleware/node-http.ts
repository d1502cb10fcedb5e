import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isFormUrlEncoded } from '../../core/form-content-type.js';
import { readIncomingMessageBody } from '../../http/size-limited-body.js';
import { type BearerGuard, type BearerGuardOptions, type BearerPass, type BearerRequest, createBearerGuard } from '../bearer-guard.js';
import { type McpAuthInfo, toMcpAuthInfo } from '../mcp-auth-info.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../proxy.js';
import type { VerifiedIdentity } from '../types.js';
import { mustReadBody, parseBodyForGuard } from './request-body.js';

/** A Node request after the guard: `auth` as the MCP SDK reads it, `body` when the guard had to read it. */
export type GuardedIncomingMessage = IncomingMessage & { auth?: McpAuthInfo; body?: unknown };

export interface NodeGuardOptions {
  /** The largest body read for the scope check; a larger one gets 413. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** A node:http request listener that runs only once the request's bearer token passed. */
export type ProtectedNodeHttpListener = (req: GuardedIncomingMessage, res: ServerResponse, identity: VerifiedIdentity) => void;

/**
 * The bearer check for plain `node:http`: resolves with the identity and sets `req.auth` (the MCP
 * SDK's `AuthInfo`, so `StreamableHTTPServerTransport.handleRequest(req, res, body)` passes it to
 * tools as `extra.authInfo`), or writes the refusal to `res` and resolves with null.
 *
 * Pass the parsed body if you read it already. Otherwise, when the scope policy depends on the
 * body (or it is a form), the guard reads it, which consumes the stream, and leaves the parsed
 * JSON in `req.body` for the handler. `protectNodeHttpListener` is the same check without a
 * promise when the token is already cached.
 * @see RFC 6750 §2.1, §3
 */
export function createNodeHttpGuard(
  guardOrOptions: BearerGuard | BearerGuardOptions,
  nodeOptions: NodeGuardOptions = {},
): (req: GuardedIncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<VerifiedIdentity | null> {
  const guard = 'check' in guardOrOptions ? guardOrOptions : createBearerGuard(guardOrOptions);
  const maxBodyBytes = nodeOptions.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  return (req, res, parsedBody) => {
    const pass = cachedPassFromNode(guard, req, parsedBody);
    if (pass !== undefined) return Promise.resolve(pass.identity);
    return checkNodeRequest(guard, req, res, parsedBody, maxBodyBytes);
  };
}

/**
 * Wraps a `node:http` request listener so it runs only for requests whose bearer token passes,
 * with `req.auth` set (the MCP SDK's `AuthInfo`) and the identity as its third argument; a
 * refusal is answered here. A token already verified and still cached (the steady state) is
 * checked synchronously and `listener` runs in the same tick: no promise, no body read (unless
 * the scope policy needs the body, which is then read first and left parsed in `req.body`).
 *
 *   createServer(protectNodeHttpListener({ verifier, resource, scopePolicy }, (req, res, identity) => …))
 *
 * A failure of the check itself (the request stream errored) is answered 500 (or the socket is
 * destroyed once headers went out); what `listener` throws is not caught, as in any listener.
 * @see RFC 6750 §2.1, §3
 */
export function protectNodeHttpListener(
  guardOrOptions: BearerGuard | BearerGuardOptions,
  listener: ProtectedNodeHttpListener,
  nodeOptions: NodeGuardOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const guard = 'check' in guardOrOptions ? guardOrOptions : createBearerGuard(guardOrOptions);
  const maxBodyBytes = nodeOptions.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  return (req: GuardedIncomingMessage, res) => {
    const pass = cachedPassFromNode(guard, req, undefined);
    if (pass !== undefined) return listener(req, res, pass.identity);
    checkNodeRequest(guard, req, res, undefined, maxBodyBytes).then(
      (identity) => {
        if (identity !== null) listener(req, res, identity);
      },
      () => {
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"error":"server_error"}');
      },
    );
  };
}

/**
 * The fast path of the Node adapters: a pass when the body need not be read and the guard finds
 * the token cached (then `req.auth` is set); undefined to go the way of `checkNodeRequest`.
 */
export function cachedPassFromNode(guard: BearerGuard, req: GuardedIncomingMessage, parsedBody: unknown): BearerPass | undefined {
  const input = guardRequestWithoutReading(guard, req, parsedBody);
  const pass = input === undefined ? undefined : guard.checkCached(input);
  if (pass !== undefined) req.auth = toMcpAuthInfo(pass.identity, pass.token);
  return pass;
}

/** The full check: reads the body if needed, writes any refusal to `res`, sets `req.auth` on a pass. */
async function checkNodeRequest(
  guard: BearerGuard,
  req: GuardedIncomingMessage,
  res: ServerResponse,
  parsedBody: unknown,
  maxBodyBytes: number,
): Promise<VerifiedIdentity | null> {
  const input = await guardRequestFromNode(guard, req, parsedBody, maxBodyBytes);
  if (input === 'too-large') {
    await writeWebResponse(res, requestTooLarge());
    return null;
  }
  const result = await guard.check(input);
  if (result.response !== undefined) {
    await writeWebResponse(res, result.response);
    return null;
  }
  req.auth = toMcpAuthInfo(result.identity, result.token);
  return result.identity;
}

/** 413 to a body over the adapter's limit; the connection is closed, the rest of the body unread. */
export function requestTooLarge(): Response {
  return Response.json({ error: 'invalid_request', error_description: 'The request body is too large.' }, { status: 413, headers: { Connection: 'close' } });
}

/**
 * The guard's input from a Node request (Express's too): `parsedBody`, else `req.body` as set by
 * a body parser, else the body read here when the check needs it (then stored in `req.body`).
 */
export async function guardRequestFromNode(
  guard: Pick<BearerGuard, 'readsBody'>,
  req: GuardedIncomingMessage,
  parsedBody: unknown,
  maxBodyBytes: number = DEFAULT_MAX_REQUEST_BYTES,
): Promise<BearerRequest | 'too-large'> {
  const ready = guardRequestWithoutReading(guard, req, parsedBody);
  if (ready !== undefined) return ready;
  const contentType = req.headers['content-type'];
  const bytes = await readIncomingMessageBody(req, maxBodyBytes);
  if (bytes === null) return 'too-large';
  const parsed = parseBodyForGuard(bytes.toString('utf8'), contentType);
  req.body = parsed.form !== undefined ? Object.fromEntries(parsed.form) : parsed.body;
  return { url: req.url ?? '/', headers: new NodeHeaderReader(req.headers), ...parsed };
}

/** The guard's input when it needs no read of the body (known already, or not needed); undefined when it does. */
function guardRequestWithoutReading(guard: Pick<BearerGuard, 'readsBody'>, req: GuardedIncomingMessage, parsedBody: unknown): BearerRequest | undefined {
  const headers = new NodeHeaderReader(req.headers);
  const url = req.url ?? '/';
  const known = parsedBody !== undefined ? parsedBody : req.body;
  if (known !== undefined) {
    const isForm = isFormUrlEncoded(req.headers['content-type']);
    return isForm && typeof known === 'object' && known !== null ? { url, headers, form: formFromObject(known) } : { url, headers, body: known };
  }
  if (!mustReadBody(guard, req.method ?? 'GET', req.headers['content-type']) || req.readableEnded) return { url, headers };
  return undefined;
}

/** `get` over Node's parsed headers (names already lower-case), without building a web `Headers`. */
class NodeHeaderReader implements Pick<Headers, 'get'> {
  readonly #headers: IncomingHttpHeaders;
  constructor(headers: IncomingHttpHeaders) {
    this.#headers = headers;
  }
  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
}

/** A web `Headers` from Node's header object (repeated headers kept). */
export function headersFromNode(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/** Writes a web Response (a small, complete one: the guard's refusals) to a Node response. */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

function formFromObject(body: object): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  return form;
}
