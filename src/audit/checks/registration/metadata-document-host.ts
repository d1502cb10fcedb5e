import { createServer, type ServerResponse } from 'node:http';
import { randomSecret } from '../../../core/secrets.js';
import { closeHttpServer } from '../../../http/close-server.js';
import { InconclusiveError } from '../../verdict.js';

/**
 * How the host answers a GET of one of its URLs:
 * - `document`: 200 `application/json` with `body`, its Content-Length given;
 * - `redirect`: 302 to `location`;
 * - `trickle`: 200 `application/json` whose body never ends: a space every quarter second (leading
 *   whitespace is valid JSON, RFC 8259 §2), so a deadline per read never fires, only one for the
 *   whole fetch does.
 * Any other path is answered 404.
 */
export type HostedAnswer =
  | { readonly kind: 'document'; readonly body: string }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'trickle' };

/**
 * The auditor's own server of Client ID Metadata Documents, reached by the authorization server
 * at `--public-url`. It fetches nothing: it only answers, and says which URLs were asked for, so
 * that a fetch by the authorization server (of a document, or of where a redirect pointed) is
 * observed, not inferred.
 */
export interface MetadataDocumentHost {
  /** A new document URL under `--public-url`, on a path no one else knows. */
  newUrl(): string;
  serve(url: string, answer: HostedAnswer): void;
  /** Whether anyone asked for `url` (its path) since the host started. */
  fetched(url: string): boolean;
  close(): Promise<void>;
}

const TRICKLE_MS = 250;

/**
 * Listens on loopback at the port of `publicUrl` (its own, else the scheme's): whatever makes
 * `publicUrl` reachable (a tunnel, a reverse proxy, or nothing in a test on loopback) forwards
 * to that port on this machine, paths unchanged.
 */
export async function startMetadataDocumentHost(publicUrl: URL): Promise<MetadataDocumentHost> {
  const answers = new Map<string, HostedAnswer>();
  const asked = new Set<string>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host.invalid').pathname;
    asked.add(path);
    const answer = request.method === 'GET' ? answers.get(path) : undefined;
    send(response, answer ?? { kind: 'missing' });
  });
  const port = Number(publicUrl.port || (publicUrl.protocol === 'https:' ? 443 : 80));
  const address = publicUrl.hostname === '[::1]' ? '::1' : '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new InconclusiveError(`the auditor could not listen on ${address} port ${port} to serve documents at --public-url (${error.code ?? error.message})`),
      ),
    );
    server.listen(port, address, () => resolve());
  });
  const prefix = `${publicUrl.origin}${publicUrl.pathname.replace(/\/+$/, '')}/portcullis-audit`;
  const pathOf = (url: string) => new URL(url).pathname;
  return {
    newUrl: () => `${prefix}/${randomSecret(12)}/client.json`,
    serve: (url, answer) => answers.set(pathOf(url), answer),
    fetched: (url) => asked.has(pathOf(url)),
    // Ends the connections still open too: a trickle holds one until its reader gives up.
    close: () => closeHttpServer(server),
  };
}

function send(response: ServerResponse, answer: HostedAnswer | { readonly kind: 'missing' }): void {
  switch (answer.kind) {
    case 'missing':
      response.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      return void response.end('not found');
    case 'document':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.body), 'cache-control': 'no-store' });
      return void response.end(answer.body);
    case 'redirect':
      response.writeHead(302, { location: answer.location, 'cache-control': 'no-store' });
      return void response.end();
    case 'trickle': {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      const timer = setInterval(() => response.write(' '), TRICKLE_MS);
      response.on('close', () => clearInterval(timer));
      return;
    }
  }
}
