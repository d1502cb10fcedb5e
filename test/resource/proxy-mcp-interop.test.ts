import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { type RunningNotesServer, startNotesServer } from '../../src/example/notes-server.js';
import { createUpstreamProxy, type UpstreamProxy } from '../../src/resource/proxy.js';
import { listen, type RunningHttpServer } from '../../src/server/http/listen.js';

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
