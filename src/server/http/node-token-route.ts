import type { IncomingMessage, ServerResponse } from 'node:http';
import { OAuthError } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { answerTokenRequest } from '../endpoints/token.js';
import { failedRequestAnswer, jsonAnswer, type JsonAnswer } from './error-response.js';
import { assertFormContentType, bodyTooLarge, MAX_BODY_BYTES, parametersFrom } from './form-parameters.js';

/**
 * A route node:http answers itself, before the web-standard adapter: true when it took the
 * request. (listen.ts runs these first; everything else goes to the Hono app.)
 */
export type NodeRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * `POST /token` on node:http directly. The token endpoint is what every MCP client calls on each
 * refresh, and the web-standard adapter (a Request with its Headers and body stream, a Response)
 * costs about as much as the refresh grant itself; this route reads the two headers it needs and
 * the form body straight from node:http and writes the JSON answer, running the same
 * `answerTokenRequest` as the Hono route, with the same errors, headers and log lines.
 */
export function createNodeTokenRoute(ctx: ServerContext, tokenPath: string): NodeRoute {
  return (request, response) => {
    if (request.method !== 'POST' || pathOf(request.url) !== tokenPath) return false;
    const started = performance.now();
    void answer(ctx, tokenPath, request).then((answered) => {
      if (answered.status === 413) answered.headers['Connection'] = 'close';
      response.writeHead(answered.status, answered.headers).end(answered.body);
      // Paths only: query strings carry codes and state.
      ctx.logger.info({ event: 'request', method: 'POST', path: tokenPath, status: answered.status, ms: Math.round(performance.now() - started) }, 'request');
    });
    return true;
  };
}

async function answer(ctx: ServerContext, path: string, request: IncomingMessage): Promise<JsonAnswer> {
  try {
    assertFormContentType(request.headers['content-type']);
    const params = parametersFrom(new URLSearchParams(await readBody(request)));
    return jsonAnswer(await answerTokenRequest(ctx, request.headers.authorization ?? null, params));
  } catch (error) {
    return failedRequestAnswer(ctx.logger, path, error);
  }
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The body as UTF-8, refused past MAX_BODY_BYTES (413) as soon as the declared or read size passes it. */
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(bodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        reject(bodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    // A client that went away: nobody reads the answer, but the log says what happened.
    const unreadable = () => reject(new OAuthError('invalid_request', 'The request body could not be read.'));
    request.once('error', unreadable);
    request.once('aborted', unreadable);
  });
}
