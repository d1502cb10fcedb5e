/**
 * The ceiling of the flow benchmark: a bare node:http server that answers the same two requests
 * with nothing behind them. `GET /authorize` redirects to the redirect URI with a random `code`,
 * the `state` it was given and `iss`; `POST /token` reads the body and answers a fixed
 * token-shaped JSON body. It serves RFC 8414 metadata so the load driver finds it as it finds the
 * others, and needs no sign-in (the first authorize goes straight back). What it measures is the
 * HTTP stack and the load driver, not an authorization server.
 *
 *   node --import tsx bench/flow/bare-flow-server.ts    prints {"flowServer":{"url":…}}; stdin closed ends it
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../../src/http/close-server.js';

const TOKEN_BODY = JSON.stringify({
  access_token: `eyJ${'a'.repeat(560)}`,
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'r'.repeat(120),
  scope: 'mcp',
});

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', issuer);
  if (request.method === 'GET' && url.pathname === '/.well-known/oauth-authorization-server') {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token` }));
  } else if (request.method === 'GET' && url.pathname === '/authorize') {
    const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://127.0.0.1/');
    back.searchParams.set('code', randomBytes(32).toString('base64url'));
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    back.searchParams.set('iss', issuer);
    response.writeHead(302, { Location: back.href, 'Cache-Control': 'no-store' });
    response.end();
  } else if (request.method === 'POST' && url.pathname === '/token') {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(TOKEN_BODY);
    });
  } else {
    response.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
process.stdout.write(`${JSON.stringify({ flowServer: { url: issuer } })}\n`);

const shutdown = () => void closeHttpServer(server).then(() => process.exit(0));
process.stdin.on('end', shutdown).resume();
process.once('SIGTERM', shutdown);
