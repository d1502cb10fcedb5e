import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Form parameters; a parameter sent twice is kept twice (RFC 6749 §3.1 says to refuse that). */
export async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(request));
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

export function sendOAuthError(response: ServerResponse, status: number, error: string, description?: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error, ...(description !== undefined ? { error_description: description } : {}) }, headers);
}

export function sendErrorPage(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(`<!doctype html><title>Error</title><p>${message.replace(/[<>&"]/g, '')}</p>`);
}

export function redirect(response: ServerResponse, location: string, status = 302): void {
  response.writeHead(status, { location, 'cache-control': 'no-store' });
  response.end();
}

/** The client credentials of a token request: HTTP Basic (RFC 6749 §2.3.1) or the form. */
export function clientCredentials(
  request: IncomingMessage,
  form: URLSearchParams,
): { clientId: string | undefined; clientSecret: string | undefined; basic: boolean } {
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ') === true) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)), basic: true };
  }
  return { clientId: form.get('client_id') ?? undefined, clientSecret: form.get('client_secret') ?? undefined, basic: false };
}
