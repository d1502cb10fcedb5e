/**
 * The ceiling: bare node:http reading the POST body and answering a small fixed JSON body shaped
 * like a token response. No parsing, no storage, no crypto, no rotation.
 *
 *   node --import tsx bench/servers/bare-http.ts --tokens 10   (then `seed N` lines on stdin)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../../src/http/close-server.js';
import { serveBenchmark } from '../support/announcement.js';

const body = JSON.stringify({
  access_token: 'x'.repeat(43),
  token_type: 'Bearer',
  expires_in: 600,
  scope: 'mcp',
  refresh_token: 'y'.repeat(43),
});
const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(body)) };

const http = createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(405, { Allow: 'POST' }).end();
    return;
  }
  request.resume();
  request.on('end', () => response.writeHead(200, headers).end(body));
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const { port } = http.address() as AddressInfo;

let seeded = 0;
await serveBenchmark({
  url: `http://127.0.0.1:${port}`,
  tokenPath: '/token',
  clientId: 'bench-client',
  rotates: false,
  async seed(count) {
    return Array.from({ length: count }, () => `unused-${seeded++}`);
  },
  close: () => closeHttpServer(http),
});
