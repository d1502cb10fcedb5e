import type { IncomingMessage } from 'node:http';

/**
 * Reading a request body under a size limit, once per transport: a web `Request` (Hono, the
 * gateway) and a `node:http` `IncomingMessage` (the node token route, the node and Express
 * guards). Both parts use these readers and answer a body over their limit as they must (the
 * authorization server with a 413 OAuth error, the gateway with a JSON-RPC error, the guards with
 * their own 413). Here, not in `src/core`: reading a stream is I/O.
 *
 * The one limit policy: a declared `Content-Length` over the limit is refused unread; any other
 * body is read until it passes the limit, and the rest is left unread. A result of null means the
 * body is too large.
 */

/**
 * The body of a web Request, or null when it is larger than `maxBytes`.
 *
 * A body with a declared Content-Length (and no Transfer-Encoding) is read in one piece with
 * `arrayBuffer()`: the HTTP parser delivers exactly the declared length, and @hono/node-server
 * then reads it straight from the socket without building a web stream (a third of the
 * gateway's CPU). Any other body is read chunk by chunk and cancelled once past the limit.
 * @see RFC 9112 §6.3 (message body length); RFC 9110 §15.5.14 (413 Content Too Large)
 */
export async function readWebRequestBody(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  const declared = declaredContentLength(request.headers.get('content-length'), request.headers.has('transfer-encoding'));
  if (declared !== undefined && declared > maxBytes) return null;
  // Not `request.body` first: on @hono/node-server, touching it builds the web stream.
  if (declared !== undefined) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    // Checked again for a Request whose Content-Length no parser enforced (one built in-process).
    return bytes.byteLength > maxBytes ? null : bytes;
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * The body of a node:http request, or null when it is larger than `maxBytes` (then the stream
 * is left paused, not drained: the caller answers and closes the connection). Rejects when the
 * stream fails, which includes a client that goes away mid-body (node:http then destroys the
 * request with an `aborted` error).
 * @see RFC 9112 §6.3; RFC 9110 §15.5.14
 */
export function readIncomingMessageBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = declaredContentLength(request.headers['content-length'], request.headers['transfer-encoding'] !== undefined);
  if (declared !== undefined && declared > maxBytes) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > maxBytes) {
        stop();
        request.pause();
        resolve(null);
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/**
 * The declared Content-Length, or undefined when none is declared or it cannot be trusted: not
 * plain digits, or sent beside a Transfer-Encoding, which overrides it (RFC 9112 §6.3).
 */
function declaredContentLength(value: string | null | undefined, hasTransferEncoding: boolean): number | undefined {
  if (value === null || value === undefined || hasTransferEncoding || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
