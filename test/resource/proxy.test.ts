import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { type RunningNotesServer, startNotesServer } from '../../src/example/notes-server.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import { createUpstreamProxy, type UpstreamProxy, type UpstreamProxyOptions } from '../../src/resource/proxy.js';
import { listen, type RunningHttpServer } from '../../src/server/http/listen.js';

/** A hand-made upstream: `handler` sees every request; `closed` resolves when a request's connection to it closes. */
async function startUpstream(handler: http.RequestListener): Promise<{ url: string; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/upstream/mcp`,
    server,
    close: () => closeHttpServer(server),
  };
}

/** The proxy behind a Hono app on a real socket, as the gateway will run it (minus auth). */
async function startGateway(options: UpstreamProxyOptions, extraHeaders: Record<string, string> = {}): Promise<RunningHttpServer & { proxyClose(): void }> {
  const proxy = createUpstreamProxy(options);
  const app = new Hono();
  app.all('/mcp', (c) => proxy.forward(c.req.raw, extraHeaders));
  const running = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
  return {
    ...running,
    proxyClose: () => proxy.close(),
    close: async () => {
      proxy.close();
      await running.close();
    },
  };
}

/** A raw node:http request, so headers fetch would refuse (Connection, TE, Keep-Alive…) can be sent. */
function rawRequest(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method, headers: options.headers, agent: false }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (chunk: string) => (body += chunk))
        .on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end(options.body);
  });
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
async function setUp(upstreamHandler: http.RequestListener, options: Partial<UpstreamProxyOptions> = {}, extraHeaders: Record<string, string> = {}) {
  const upstream = await startUpstream(upstreamHandler);
  const gateway = await startGateway({ upstream: upstream.url, ...options }, extraHeaders);
  cleanups.push(
    () => upstream.close(),
    () => gateway.close(),
  );
  return { upstream, gateway };
}

describe('proxy: headers', () => {
  it('keeps end-to-end MCP headers, drops hop-by-hop ones both ways, never forwards credentials or X-Portcullis-* from the client', async () => {
    let seen: { url: string; headers: http.IncomingHttpHeaders; body: string } | undefined;
    const { upstream, gateway } = await setUp(
      (req, res) => {
        let body = '';
        req
          .on('data', (c: Buffer) => (body += c))
          .on('end', () => {
            seen = { url: req.url!, headers: req.headers, body };
            res.writeHead(200, [
              'Content-Type',
              'application/json',
              'Mcp-Session-Id',
              'session-1',
              'Connection',
              'keep-alive, X-Upstream-Hop',
              'X-Upstream-Hop',
              '1',
              'X-Upstream-End',
              '1',
              'Set-Cookie',
              'tracker=1',
              'Proxy-Authenticate',
              'Basic',
              'Trailer',
              'X-T',
            ]);
            res.end('{"ok":true}');
          });
      },
      {},
      { 'X-Portcullis-Subject': 'verified-user' },
    );

    const response = await rawRequest(`${gateway.url}/mcp?tenant=a&x=1`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': 'session-1',
        'MCP-Protocol-Version': '2025-11-25',
        'Last-Event-ID': 'ev-7',
        Authorization: 'Bearer client-token',
        Cookie: 'sid=1',
        'X-Portcullis-Subject': 'forged',
        'X-Portcullis-Scope': 'admin',
        Connection: 'keep-alive, X-Client-Hop',
        'X-Client-Hop': '1',
        'Keep-Alive': 'timeout=5',
        TE: 'trailers',
        'Proxy-Authorization': 'Basic eDp5',
        Upgrade: 'websocket',
        'X-Client-End': 'kept',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    assert.equal(response.status, 200);
    assert.ok(seen);
    assert.equal(seen.url, '/upstream/mcp?tenant=a&x=1');
    assert.equal(seen.body, '{"jsonrpc":"2.0","id":1,"method":"ping"}');
    const h = seen.headers;
    assert.equal(h['host'], new URL(upstream.url).host);
    assert.equal(h['mcp-session-id'], 'session-1');
    assert.equal(h['mcp-protocol-version'], '2025-11-25');
    assert.equal(h['last-event-id'], 'ev-7');
    assert.equal(h['accept'], 'application/json, text/event-stream');
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['x-client-end'], 'kept');
    assert.equal(h['x-portcullis-subject'], 'verified-user');
    for (const name of ['authorization', 'cookie', 'x-portcullis-scope', 'x-client-hop', 'keep-alive', 'te', 'proxy-authorization', 'upgrade']) {
      assert.equal(h[name], undefined, name);
    }
    assert.equal(response.headers['mcp-session-id'], 'session-1');
    assert.equal(response.headers['x-upstream-end'], '1');
    for (const name of ['x-upstream-hop', 'set-cookie', 'proxy-authenticate', 'trailer']) assert.equal(response.headers[name], undefined, name);
  });
});

describe('proxy: streaming', () => {
  it('delivers the first SSE event before the upstream has finished the response', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { gateway } = await setUp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: message\ndata: {"n":1}\n\n');
      void released.then(() => res.end('event: message\ndata: {"n":2}\n\n'));
    });
    const response = await fetch(`${gateway.url}/mcp`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), 'event: message\ndata: {"n":1}\n\n');
    release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    assert.equal(rest, 'event: message\ndata: {"n":2}\n\n');
  });

  it('passes a GET event stream and a DELETE of the session', async () => {
    const seen: string[] = [];
    const { gateway } = await setUp((req, res) => {
      seen.push(`${req.method} ${req.headers['mcp-session-id']} ${req.headers['last-event-id'] ?? '-'}`);
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 8\ndata: {}\n\n');
    });
    const stream = await fetch(`${gateway.url}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': 's-1', 'last-event-id': '7' } });
    const reader = stream.body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'id: 8\ndata: {}\n\n');
    await reader.cancel();
    const deleted = await fetch(`${gateway.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': 's-1' } });
    assert.equal(deleted.status, 204);
    assert.deepEqual(seen, ['GET s-1 7', 'DELETE s-1 -']);
  });
});

describe('proxy: limits and failures', () => {
  it('answers 413 for a body over the limit, declared or streamed, without reaching the upstream', async () => {
    let reached = 0;
    const { gateway } = await setUp(
      (_req, res) => {
        reached++;
        res.end();
      },
      { maxRequestBytes: 1024 },
    );
    const declared = await fetch(`${gateway.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1025) });
    assert.equal(declared.status, 413);
    assert.equal(((await declared.json()) as { error: { data: { reason: string } } }).error.data.reason, 'request_too_large');
    const chunked = await rawRequest(`${gateway.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: 'y'.repeat(4096),
    });
    assert.equal(chunked.status, 413);
    const fits = await fetch(`${gateway.url}/mcp`, { method: 'POST', body: 'x'.repeat(1024) });
    assert.equal(fits.status, 200);
    assert.equal(reached, 1);
  });

  it('answers 502 with a JSON body when the upstream refuses connections or does not resolve', async () => {
    const { upstream, gateway } = await setUp((_req, res) => res.end());
    await upstream.close();
    const refused = await fetch(`${gateway.url}/mcp`, { method: 'POST', body: '{}' });
    assert.equal(refused.status, 502);
    assert.equal(((await refused.json()) as { error: { data: { reason: string } } }).error.data.reason, 'upstream_unavailable');
    const unresolvable = await startGateway({ upstream: 'http://portcullis-upstream.invalid/mcp', timeoutMs: 10_000 });
    cleanups.push(() => unresolvable.close());
    assert.equal((await fetch(`${unresolvable.url}/mcp`, { method: 'POST', body: '{}' })).status, 502);
  });

  it('answers 504 when the upstream sends no response headers in time, and drops its request', async () => {
    let upstreamSawClose!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamSawClose = resolve));
    const { gateway } = await setUp((_req, res) => void res.on('close', () => upstreamSawClose()), { timeoutMs: 100 });
    const started = Date.now();
    const response = await fetch(`${gateway.url}/mcp`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { error: { data: { reason: string } } }).error.data.reason, 'upstream_timeout');
    assert.ok(Date.now() - started < 2000);
    await closed;
  });

  it('aborts the upstream request when the client goes away, before and after response headers', async () => {
    const upstreamClosed: string[] = [];
    let onClose!: () => void;
    let closedCount = 0;
    const { gateway } = await setUp((req, res) => {
      res.on('close', () => {
        upstreamClosed.push(req.url!);
        closedCount++;
        onClose();
      });
      if (req.url!.endsWith('?stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {}\n\n');
      }
    });
    const waitForClose = (count: number) =>
      new Promise<void>((resolve) => {
        onClose = () => {
          if (closedCount >= count) resolve();
        };
      });

    const beforeHeaders = new AbortController();
    const closedBefore = waitForClose(1);
    const pending = fetch(`${gateway.url}/mcp?hang`, { method: 'POST', body: '{}', signal: beforeHeaders.signal });
    setTimeout(() => beforeHeaders.abort(), 50);
    await assert.rejects(pending);
    await closedBefore;

    const midStream = new AbortController();
    const closedMid = waitForClose(2);
    const stream = await fetch(`${gateway.url}/mcp?stream`, { headers: { accept: 'text/event-stream' }, signal: midStream.signal });
    await stream.body!.getReader().read();
    midStream.abort();
    await closedMid;
    assert.deepEqual(upstreamClosed, ['/upstream/mcp?hang', '/upstream/mcp?stream']);
  });

  it('ends the client’s stream with an error, not a clean end, when the upstream dies mid-stream', async () => {
    const { gateway } = await setUp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n', () => setTimeout(() => res.destroy(), 20));
    });
    const response = await fetch(`${gateway.url}/mcp`, { headers: { accept: 'text/event-stream' } });
    await assert.rejects(response.text());
  });

  it('answers 502, never throws, when a header cannot be forwarded', async () => {
    const { gateway } = await setUp((_req, res) => res.end(), {}, { 'x-portcullis-subject': 'a\r\nx: y' });
    const response = await fetch(`${gateway.url}/mcp`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 502);
  });

  it('refuses an upstream that is not an http(s) URL or carries credentials', () => {
    assert.throws(() => createUpstreamProxy({ upstream: 'file:///etc/passwd' }), TypeError);
    assert.throws(() => createUpstreamProxy({ upstream: 'http://user:pass@127.0.0.1/mcp' }), TypeError);
  });
});

/** The official SDK client talks to the example server through the proxy (no auth): the proxy is transparent to MCP. */
describe('proxy: MCP SDK client through the proxy to the example notes server', () => {
  let notes: RunningNotesServer;
  let proxy: UpstreamProxy;
  let gateway: RunningHttpServer;
  let client: Client;
  let transport: StreamableHTTPClientTransport;

  before(async () => {
    notes = await startNotesServer({ port: 0, host: '127.0.0.1' });
    proxy = createUpstreamProxy({ upstream: notes.url });
    const app = new Hono();
    // What the gateway will add for a verified caller, stood in by fixed values.
    app.all('/mcp', (c) => proxy.forward(c.req.raw, { 'X-Portcullis-Subject': 'user-1', 'X-Portcullis-Client-Id': 'client-1' }));
    gateway = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
    client = new Client({ name: 'interop-test', version: '1.0.0' });
    transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
      requestInit: { headers: { Authorization: 'Bearer client-token', Cookie: 'sid=1', 'X-Portcullis-Subject': 'forged', 'X-Portcullis-Identity': 'forged' } },
    });
    await client.connect(transport);
  });

  after(async () => {
    await client.close();
    await gateway.close();
    proxy.close();
    await notes.close();
  });

  it('initializes a session and lists the tools', async () => {
    assert.match(transport.sessionId ?? '', /^[\x21-\x7e]+$/);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add_note', 'count_slowly', 'delete_note', 'list_notes', 'whoami']);
  });

  it('calls tools that keep state in the session’s server', async () => {
    const added = await client.callTool({ name: 'add_note', arguments: { title: 'first', body: 'hello' } });
    const note = JSON.parse((added.content as [{ text: string }])[0].text) as { id: string };
    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    assert.match((listed.content as [{ text: string }])[0].text, /first/);
    const deleted = await client.callTool({ name: 'delete_note', arguments: { id: note.id } });
    assert.notEqual(deleted.isError, true);
  });

  it('passes the gateway’s identity headers, and never the client’s Authorization, Cookie or X-Portcullis-* headers', async () => {
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const seen = JSON.parse((result.content as [{ text: string }])[0].text) as {
      subject: string;
      clientId: string;
      identity: string | null;
      headerNames: string[];
    };
    assert.equal(seen.subject, 'user-1');
    assert.equal(seen.clientId, 'client-1');
    assert.equal(seen.identity, null);
    assert.ok(!seen.headerNames.includes('authorization'));
    assert.ok(!seen.headerNames.includes('cookie'));
    assert.ok(seen.headerNames.includes('mcp-session-id'));
    assert.ok(seen.headerNames.includes('mcp-protocol-version'));
  });

  it('streams an SSE tool result with every progress notification and log message intact', async () => {
    const progress: number[] = [];
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
    const result = await client.callTool({ name: 'count_slowly', arguments: { n: 5, delayMs: 5 } }, undefined, {
      onprogress: (p) => void progress.push(p.progress),
    });
    assert.deepEqual(progress, [1, 2, 3, 4, 5]);
    assert.deepEqual(logs, ['count 1', 'count 2', 'count 3', 'count 4', 'count 5']);
    assert.equal((result.content as [{ text: string }])[0].text, 'counted to 5');
  });

  it('ends the session with DELETE; the upstream then answers 404 for it', async () => {
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const response = await fetch(`${gateway.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: number } }).error.code, -32001);
  });
});
