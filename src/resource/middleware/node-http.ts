import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBearerGuard, type BearerGuard, type BearerGuardOptions, type BearerRequest } from '../bearer-guard.js';
import { toMcpAuthInfo, type McpAuthInfo } from '../mcp-auth-info.js';
import type { VerifiedIdentity } from '../types.js';
import { mustReadBody, parseBodyForGuard } from './request-body.js';

/** A Node request after the guard: `auth` as the MCP SDK reads it, `body` when the guard had to read it. */
export type GuardedIncomingMessage = IncomingMessage & { auth?: McpAuthInfo; body?: unknown };

export interface NodeGuardOptions {
  /** The largest body read for the scope check; a larger one gets 413. Default 4 MiB. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The bearer check for plain `node:http`: resolves with the identity and sets `req.auth` (the MCP
 * SDK's `AuthInfo`, so `StreamableHTTPServerTransport.handleRequest(req, res, body)` passes it to
 * tools as `extra.authInfo`), or writes the refusal to `res` and resolves with null.
 *
 * Pass the parsed body if you read it already. Otherwise, when the scope policy depends on the
 * body (or it is a form), the guard reads it, which consumes the stream, and leaves the parsed
 * JSON in `req.body` for the handler.
 * @see RFC 6750 §2.1, §3
 */
export function createNodeHttpGuard(
  guardOrOptions: BearerGuard | BearerGuardOptions,
  nodeOptions: NodeGuardOptions = {},
): (req: GuardedIncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<VerifiedIdentity | null> {
  const guard = 'check' in guardOrOptions ? guardOrOptions : createBearerGuard(guardOrOptions);
  const maxBodyBytes = nodeOptions.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (req, res, parsedBody) => {
    const input = await guardRequestFromNode(guard, req, parsedBody, maxBodyBytes);
    if (input === 'too-large') {
      const tooLarge = Response.json({ error: 'invalid_request', error_description: 'The request body is too large.' }, { status: 413, headers: { Connection: 'close' } });
      await writeWebResponse(res, tooLarge);
      return null;
    }
    const result = await guard.check(input);
    if (result.response !== undefined) {
      await writeWebResponse(res, result.response);
      return null;
    }
    req.auth = toMcpAuthInfo(result.identity, result.token);
    return result.identity;
  };
}

/**
 * The guard's input from a Node request (Express's too): `parsedBody`, else `req.body` as set by
 * a body parser, else the body read here when the check needs it (then stored in `req.body`).
 */
export async function guardRequestFromNode(
  guard: Pick<BearerGuard, 'readsBody'>,
  req: GuardedIncomingMessage,
  parsedBody: unknown,
  maxBodyBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<BearerRequest | 'too-large'> {
  const headers = headerReader(req);
  const input: BearerRequest = { url: req.url ?? '/', headers };
  const contentType = headers.get('content-type');
  const method = req.method ?? 'GET';
  const known = parsedBody !== undefined ? parsedBody : req.body;
  if (known !== undefined) {
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(contentType ?? '');
    return isForm && typeof known === 'object' && known !== null ? { ...input, form: formFromObject(known) } : { ...input, body: known };
  }
  if (!mustReadBody(guard, method, contentType) || req.readableEnded) return input;
  const text = await readText(req, maxBodyBytes);
  if (text === null) return 'too-large';
  const parsed = parseBodyForGuard(text, contentType);
  req.body = parsed.form !== undefined ? Object.fromEntries(parsed.form) : parsed.body;
  return { ...input, ...parsed };
}

/** `get` over Node's parsed headers (names already lower-case), without building a web `Headers`. */
function headerReader(req: IncomingMessage): Pick<Headers, 'get'> {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
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

/** The body as text, or null past `maxBytes` (then the stream is left paused, not drained). */
function readText(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
