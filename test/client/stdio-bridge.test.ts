import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { BRIDGE_DELIVERY_ERROR, type StdioBridgeOptions, startStdioBridge } from '../../src/client/stdio-bridge.js';
import { type RunningNotesServer, startNotesServer } from '../../src/example/notes-server.js';

interface Wired {
  client: Client;
  /** Everything the bridge wrote to its stdout. */
  stdout: () => string;
  /** Every log line the bridge wrote. */
  logs: () => string;
  /** Requests the bridge made: method, session id and protocol-version headers. */
  requests: { method: string; session: string | null; protocolVersion: string | null }[];
  endStdin: () => void;
  bridge: Awaited<ReturnType<typeof startStdioBridge>>;
  /** Connects the client (sends initialize through the bridge). */
  connect: () => Promise<void>;
}

/**
 * Wires an MCP SDK client to the bridge over a pair of in-memory pipes, exactly as a stdio client
 * would over a child's stdin and stdout.
 */
async function wire(serverUrl: string, extra: Partial<StdioBridgeOptions> = {}): Promise<Wired> {
  const toBridge = new PassThrough();
  const fromBridge = new PassThrough();
  let stdout = '';
  fromBridge.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  let logs = '';
  const logSink = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      logs += chunk.toString('utf8');
      done();
    },
  });
  const requests: Wired['requests'] = [];
  const bridge = await startStdioBridge({
    serverUrl,
    stdin: toBridge,
    stdout: fromBridge,
    logger: pino({ level: 'debug' }, logSink),
    fetch: async (url, init) => {
      const headers = new Headers(init?.headers);
      requests.push({ method: init?.method ?? 'GET', session: headers.get('mcp-session-id'), protocolVersion: headers.get('mcp-protocol-version') });
      return fetch(url, init);
    },
    ...extra,
  });
  // The client side of the pipes: a stdio transport with the streams swapped.
  const client = new Client({ name: 'stdio-test-client', version: '1.0.0' });
  const connect = () => client.connect(new StdioServerTransport(fromBridge, toBridge));
  return { client, stdout: () => stdout, logs: () => logs, requests, endStdin: () => toBridge.end(), bridge, connect };
}

describe('stdio ↔ Streamable HTTP bridge', () => {
  let notes: RunningNotesServer;
  before(async () => (notes = await startNotesServer({ port: 0, host: '127.0.0.1' })));
  after(() => notes.close());

  it('relays requests, responses and server notifications, and writes only JSON-RPC to stdout', async () => {
    const wired = await wire(notes.url);
    await wired.connect();
    const { client } = wired;
    assert.equal(client.getServerVersion()?.name, 'portcullis-example-notes');
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'add_note'));
    await client.callTool({ name: 'add_note', arguments: { title: 'bridged', body: 'a private note body' } });
    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    assert.match(JSON.stringify(listed.content), /a private note body/);

    const progress: number[] = [];
    const counted = await client.request({ method: 'tools/call', params: { name: 'count_slowly', arguments: { n: 3, delayMs: 5 } } }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.deepEqual(progress, [1, 2, 3], 'progress notifications came back through the bridge');
    assert.match(JSON.stringify(counted.content), /counted to 3/);

    for (const line of wired.stdout().trim().split('\n')) assert.equal((JSON.parse(line) as { jsonrpc: string }).jsonrpc, '2.0', line);
    const session = wired.requests.find((r) => r.session !== null)?.session;
    assert.ok(session, 'the bridge keeps the MCP session');
    assert.ok(
      wired.requests
        .filter((r) => r.method === 'POST')
        .slice(1)
        .every((r) => r.protocolVersion !== null),
      'requests after initialize carry MCP-Protocol-Version',
    );
    assert.doesNotMatch(wired.logs(), /a private note body/, 'logs never carry message contents, even at debug level');
    assert.match(wired.logs(), /"method":"tools\/call"/);

    // Closing stdin (the stdio client went away) ends the MCP session and closes the bridge.
    wired.endStdin();
    assert.equal(await wired.bridge.closed, 'stdin-closed');
    assert.ok(
      wired.requests.some((r) => r.method === 'DELETE' && r.session === session),
      'the session was ended with DELETE',
    );
    const stale = await fetch(notes.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Mcp-Session-Id': session },
      body: '{"jsonrpc":"2.0","id":9,"method":"tools/list"}',
    });
    assert.equal(stale.status, 404);
    await client.close();
  });

  it('holds messages written behind initialize until its answer, and answers them all when stdin ends (printf … | portcullis connect)', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let written = '';
    stdout.on('data', (d: Buffer) => (written += d.toString('utf8')));
    const bridge = await startStdioBridge({ serverUrl: notes.url, stdin, stdout });
    const lines = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ];
    // All at once, without waiting for the initialize answer (and its session id).
    stdin.end(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    assert.equal(await bridge.closed, 'stdin-closed');
    const answers = written
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; result?: { serverInfo?: { name: string }; tools?: { name: string }[] } });
    assert.deepEqual(
      answers.map((a) => a.id),
      [1, 2],
    );
    assert.equal(answers[0]!.result?.serverInfo?.name, 'portcullis-example-notes');
    assert.ok(
      answers[1]!.result?.tools?.some((t) => t.name === 'list_notes'),
      'tools/list went out with the session id of the initialize answer',
    );
  });

  it('ends when the server ends the MCP session, so the stdio client can start over', async () => {
    const wired = await wire(notes.url);
    await wired.connect();
    await wired.client.listTools();
    const session = wired.requests.find((r) => r.session !== null)!.session!;
    // The server ends the session (a restart, an idle timeout): here, by a DELETE of its own.
    const ended = await fetch(notes.url, { method: 'DELETE', headers: { 'Mcp-Session-Id': session } });
    assert.equal(ended.status, 200);
    await assert.rejects(wired.client.listTools(), (error: { code?: number }) => error.code === BRIDGE_DELIVERY_ERROR);
    assert.equal(await wired.bridge.closed, 'remote-closed');
    await wired.client.close();
  });

  it('answers a request it cannot deliver with a JSON-RPC error for that id, and reports it', async () => {
    const down = 'http://127.0.0.1:9/mcp';
    const failures: Error[] = [];
    const wired = await wire(down, { onSendError: (error) => void failures.push(error) });
    await assert.rejects(wired.connect(), (error: { code?: number }) => error.code === BRIDGE_DELIVERY_ERROR);
    assert.equal(failures.length, 1);
    for (const line of wired.stdout().trim().split('\n')) {
      const message = JSON.parse(line) as { id: number; error: { code: number } };
      assert.equal(message.error.code, BRIDGE_DELIVERY_ERROR);
    }
    await wired.bridge.close();
    assert.equal(await wired.bridge.closed, 'closed');
    await wired.client.close();
  });

  it('closes when the error handler says so (for example, the user must log in again)', async () => {
    const wired = await wire('http://127.0.0.1:9/mcp', { onSendError: () => 'close' });
    await assert.rejects(wired.connect());
    assert.equal(await wired.bridge.closed, 'send-error');
    await wired.client.close();
  });
});
