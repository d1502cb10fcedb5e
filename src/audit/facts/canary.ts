import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomSecret } from '../../core/secrets.js';
import { closeHttpServer } from '../../http/close-server.js';
import type { Probe } from '../probe.js';

/**
 * The auditor's own loopback listener. Redirect URIs point at random paths on it, so a redirect the
 * server should not have made is observed (its Location names a canary, or a browser arrives
 * there), not inferred; the OpenID Foundation's conformance suite works the same way.
 */
export interface Canary {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** A new redirect URI on a path no one else knows. */
  newRedirectUri(): string;
  /** Whether `url` is on the canary, and which of its redirect URIs (origin and path) it names. */
  owns(url: URL): boolean;
  /** The requests that arrived (a browser sent there), by path. */
  readonly hits: readonly { readonly path: string; readonly query: string }[];
  /** The next request a browser makes to `redirectUri`'s path, as a full URL; rejects after `timeoutMs`. */
  waitFor(redirectUri: string, timeoutMs: number): Promise<URL>;
}

export async function startCanary(probe: Probe): Promise<Canary> {
  const hits: { path: string; query: string }[] = [];
  const waiting = new Map<string, (url: URL) => void>();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    hits.push({ path: url.pathname, query: url.search });
    waiting.get(url.pathname)?.(url);
    waiting.delete(url.pathname);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end('<!doctype html><title>Portcullis audit</title><p>The audit received this response. You can close this tab.</p>');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  probe.onCleanup(() => closeHttpServer(server));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    newRedirectUri: () => `${origin}/cb/${randomSecret(12)}`,
    waitFor: (redirectUri, timeoutMs) =>
      new Promise<URL>((resolve, reject) => {
        const path = new URL(redirectUri).pathname;
        const timer = setTimeout(() => {
          waiting.delete(path);
          reject(new Error(`no browser arrived at the redirect URI within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        waiting.set(path, (url) => {
          clearTimeout(timer);
          resolve(new URL(`${redirectUri.split('?')[0]}${url.search}`));
        });
      }),
    owns: (url) =>
      url.origin === origin || (url.protocol === 'http:' && url.port === new URL(origin).port && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)),
    hits,
  };
}
