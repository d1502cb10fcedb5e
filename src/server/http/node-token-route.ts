import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.js';
import { answerTokenRequest } from '../endpoints/token.js';
import { failedRequestAnswer, type JsonAnswer, jsonAnswer } from './error-response.js';
import { readIncomingFormBody } from './form-parameters.js';

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
      const ms = performance.now() - started;
      ctx.metrics?.http.token.observe(answered.status, ms / 1000);
      // Paths only: query strings carry codes and state.
      ctx.logger.info({ event: 'request', method: 'POST', path: tokenPath, status: answered.status, ms: Math.round(ms) }, 'request');
    });
    return true;
  };
}

async function answer(ctx: ServerContext, path: string, request: IncomingMessage): Promise<JsonAnswer> {
  try {
    const params = await readIncomingFormBody(request);
    return jsonAnswer(await answerTokenRequest(ctx, request.headers.authorization ?? null, params));
  } catch (error) {
    const { metrics } = ctx;
    return failedRequestAnswer(ctx.logger, path, error, metrics && ((code) => metrics.oauth.refused('token', code)));
  }
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
