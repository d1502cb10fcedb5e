/**
 * The floor of Portcullis's HTTP stack: a Hono app on @hono/node-server (src/server/http/listen.ts),
 * as Portcullis serves, reading the form body and answering a fixed token-shaped JSON body.
 * Not in the default run; `--only hono-floor` (or with others) to see what the adapter costs.
 *
 *   node --import tsx bench/servers/hono-floor.ts --tokens 10   (then `seed N` lines on stdin)
 */
import { Hono } from 'hono';
import { listen } from '../../src/server/http/listen.js';
import { serveBenchmark } from '../support/announcement.js';

const body = {
  access_token: 'x'.repeat(43),
  token_type: 'Bearer',
  expires_in: 600,
  scope: 'mcp',
  refresh_token: 'y'.repeat(43),
};
const app = new Hono();
app.post('/token', async (c) => {
  await c.req.raw.text();
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
});
const http = await listen((request) => app.fetch(request), { port: 0, host: '127.0.0.1' });

let seeded = 0;
await serveBenchmark({
  url: http.url,
  tokenPath: '/token',
  clientId: 'bench-client',
  rotates: false,
  async seed(count) {
    return Array.from({ length: count }, () => `unused-${seeded++}`);
  },
  close: () => http.close(),
});
