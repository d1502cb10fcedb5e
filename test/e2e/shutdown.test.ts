import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertTokens, discover, obtainCode, redeemCode, registerPublicClient, type ServerMetadata } from '../support/authorization-flow.js';
import { runCli } from '../support/cli-process.js';
import { addUserToDatabase, holdFormPost, type ServeProcess, startServeProcess } from '../support/serve-process.js';
import { type SlowMcpServer, startSlowMcpServer } from '../support/slow-mcp-server.js';
import { createTestDatabase, DIALECTS, postgresSkipReason, type TestDatabase } from '../support/stores.js';
import { mcpPost } from '../support/whoami-mcp-server.js';

/**
 * `portcullis serve` stopped by SIGTERM while it is busy, over real processes and sockets: what is
 * in flight finishes, nothing new gets in, the gateway's event streams end as streams end (not as
 * a reset), the database is closed and the process exits 0 (docs/configuration.md "Stopping").
 */

const LOGIN = { username: 'ada', password: 'ada password 1234' };

interface SignedIn {
  as: ServerMetadata;
  clientId: string;
  accessToken: string;
  refreshToken: string;
}

async function signIn(serve: ServeProcess): Promise<SignedIn> {
  const as = await discover(serve.url);
  const clientId = await registerPublicClient(as);
  const resource = `${serve.url}/mcp`;
  const code = await obtainCode(as, clientId, LOGIN, { resource });
  const tokens = assertTokens(await redeemCode(as, { clientId, code: code.code, verifier: code.verifier, resource }));
  return { as, clientId, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

const toolCall = (id: number, name: string, args: Record<string, unknown>, progressToken?: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(progressToken !== undefined ? { _meta: { progressToken } } : {}) },
});

/** Whether a TCP connection to the port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Reads an event stream to its end; rejects if the connection is reset instead (undici: "terminated"). */
async function readStream(response: Response, onFirstChunk?: () => void): Promise<{ text: string; endedAt: number }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text, endedAt: performance.now() };
    if (text === '') onFirstChunk?.();
    text += decoder.decode(value, { stream: true });
  }
}

const jsonLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('serve: the shutdown timeout setting', () => {
  it('refuses a bad --shutdown-timeout or shutdownTimeoutSeconds before creating anything', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-shutdown-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const db = `sqlite:${join(dir, 'never.db')}`;
    const flag = await runCli(['serve', '--shutdown-timeout', 'soon', '--db', db]);
    assert.notEqual(flag.code, 0);
    assert.match(flag.stderr, /--shutdown-timeout must be a number of seconds/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ shutdownTimeoutSeconds: -1 }));
    const file = await runCli(['serve', '--config', join(dir, 'config.json'), '--db', db]);
    assert.notEqual(file.code, 0);
    assert.match(file.stderr, /shutdownTimeoutSeconds/);
    assert.doesNotMatch(flag.stderr + file.stderr, /at .*\.ts:\d+/, 'no stack trace');
    assert.equal(existsSync(join(dir, 'never.db')), false);
  });
});

for (const dialect of DIALECTS) {
  describe(`serve: SIGTERM while busy (${dialect})`, async () => {
    const skip = dialect === 'postgres' ? await postgresSkipReason() : false;
    let upstream: SlowMcpServer;
    let database: TestDatabase;
    const started: ServeProcess[] = [];
    const startServe = async (args: string[] = []) => {
      const serve = await startServeProcess({ db: database.url, args: ['--upstream', upstream.url, ...args] });
      started.push(serve);
      return serve;
    };

    before(async () => {
      if (skip) return;
      upstream = await startSlowMcpServer();
      database = await createTestDatabase(dialect);
      await addUserToDatabase(database.url, LOGIN.username, LOGIN.password);
    });
    after(async () => {
      if (skip) return;
      for (const serve of started) serve.cli.child.kill('SIGKILL');
      await Promise.all(started.map((serve) => serve.cli.exited));
      await upstream.close();
      await database.destroy();
    });

    it('finishes the token request and MCP calls in flight, refuses new connections, ends event streams cleanly, exits 0', { skip }, async () => {
      const serve = await startServe();
      const user = await signIn(serve);
      const mcpUrl = `${serve.url}/mcp`;
      const bearer = { Authorization: `Bearer ${user.accessToken}` };

      let listeningOpen!: () => void;
      const listeningIsOpen = new Promise<void>((resolve) => (listeningOpen = resolve));
      const listening = fetch(mcpUrl, { headers: { ...bearer, Accept: 'text/event-stream', 'MCP-Protocol-Version': '2025-06-18' } }).then((response) => {
        assert.equal(response.status, 200);
        return readStream(response, listeningOpen);
      });
      await listeningIsOpen;
      const slow = mcpPost(mcpUrl, toolCall(1, 'slow', { ms: 2000 }), bearer).then((response) => ({ response, at: performance.now() }));
      const counting = mcpPost(mcpUrl, toolCall(2, 'count', { steps: 5, intervalMs: 200 }, 'progress-1'), bearer);
      const refresh = await holdFormPost(user.as.token_endpoint, { grant_type: 'refresh_token', client_id: user.clientId, refresh_token: user.refreshToken });
      // The calls have reached the upstream before the signal.
      await new Promise((resolve) => setTimeout(resolve, 200));

      serve.cli.child.kill('SIGTERM');
      await serve.cli.waitForStderr(/"event":"shutdown_started"/);
      assert.equal(await connectionRefused(serve.port), true, 'a new connection after the signal is refused');

      const tokenAnswer = await refresh.finish();
      assert.equal(tokenAnswer.status, 200, `the token request in flight: ${JSON.stringify(tokenAnswer.body)}`);
      assert.equal(typeof tokenAnswer.body['access_token'], 'string');

      const { response: slowResponse, at: slowAnsweredAt } = await slow;
      assert.equal(slowResponse.status, 200);
      const slowAnswer = (await slowResponse.json()) as { result?: { content: { text: string }[] } };
      assert.equal(slowAnswer.result?.content[0]?.text, 'slept 2000', 'the slow MCP call in flight got its answer');

      const countingResponse = await counting;
      assert.equal(countingResponse.status, 200);
      assert.match(countingResponse.headers.get('content-type') ?? '', /^text\/event-stream/);
      const counted = await readStream(countingResponse);
      assert.equal(counted.text.match(/notifications\/progress/g)?.length, 5, 'every progress event');
      assert.match(counted.text, /counted 5/, 'and the result, then a clean end of the stream');

      const listened = await listening;
      assert.match(listened.text, /ping/);
      assert.ok(listened.endedAt < slowAnsweredAt, 'the standalone stream ended at the signal, before the calls in flight were answered');

      const exit = await serve.cli.exited;
      assert.equal(exit.code, 0, exit.stderr);
      const events = jsonLines(exit.stderr).map((line) => line['event']);
      assert.equal(events.filter((event) => event === 'shutdown_started').length, 1);
      const finished = jsonLines(exit.stderr).find((line) => line['event'] === 'shutdown_finished');
      assert.ok(finished, 'one line when shutdown is done');
      assert.equal(finished['unfinished'], 0);
      assert.ok(!events.includes('shutdown_requests_cut'));
      if (dialect === 'sqlite') {
        // SQLite removes the write-ahead log when its last connection closes: the store was closed.
        assert.equal(existsSync(`${database.url.slice('sqlite:'.length)}-wal`), false, 'the database was closed');
      }
    });

    // The grace and the second signal are the process's, the same on either store: run once.
    const processOnly = skip || (dialect === 'postgres' && 'the same on SQLite');

    it('ends a stream still open at the end of the grace cleanly, and exits 0', { skip: processOnly }, async () => {
      const serve = await startServe(['--shutdown-timeout', '1']);
      const user = await signIn(serve);
      const bearer = { Authorization: `Bearer ${user.accessToken}` };
      const counting = await mcpPost(`${serve.url}/mcp`, toolCall(3, 'count', { steps: 100, intervalMs: 100 }, 'progress-2'), bearer);
      assert.equal(counting.status, 200);
      let firstEvent!: () => void;
      const streaming = new Promise<void>((resolve) => (firstEvent = resolve));
      const reading = readStream(counting, firstEvent);
      await streaming;

      const signalled = performance.now();
      serve.cli.child.kill('SIGTERM');
      const counted = await reading;
      const ms = counted.endedAt - signalled;
      assert.ok(ms >= 900 && ms < 5000, `the stream had the grace and no more (${Math.round(ms)} ms)`);
      assert.doesNotMatch(counted.text, /counted 100/, 'the call was not finished');
      const exit = await serve.cli.exited;
      assert.equal(exit.code, 0, exit.stderr);
      const finished = jsonLines(exit.stderr).find((line) => line['event'] === 'shutdown_finished');
      assert.equal(finished?.['unfinished'], 1);
      assert.equal(finished?.['streams_ended'], 1);
    });

    it('exits at once, non-zero, on a second signal while stopping', { skip: processOnly }, async () => {
      const serve = await startServe(['--shutdown-timeout', '30']);
      const user = await signIn(serve);
      const slow = mcpPost(`${serve.url}/mcp`, toolCall(4, 'slow', { ms: 20_000 }), { Authorization: `Bearer ${user.accessToken}` }).catch(
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      serve.cli.child.kill('SIGTERM');
      await serve.cli.waitForStderr(/"event":"shutdown_started"/);
      const signalled = performance.now();
      serve.cli.child.kill('SIGTERM');
      const exit = await serve.cli.exited;
      assert.equal(exit.code, 143, exit.stderr);
      assert.ok(performance.now() - signalled < 2000, 'without waiting for the call in flight');
      assert.match(exit.stderr, /"event":"shutdown_forced"/);
      await slow;
    });
  });
}
