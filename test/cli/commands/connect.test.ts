import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { openTokens } from '../../../src/client/sealed-values.js';
import { createKeyring } from '../../../src/core/seal.js';
import { openStore } from '../../../src/store/index.js';
import { FormBrowser } from '../../support/browser.js';
import { CLI_NODE_ARGS, eventually, loginThroughPages, recordingBrowser, runCli } from '../../support/cli-process.js';
import { TestClock } from '../../support/clock.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';

const ALICE = { username: 'alice', password: 'alice has a long password' };
const SECRET = 'connect-test-master-secret-0123456789abcdef';

/** `portcullis connect URL` as a stdio MCP client (Claude Desktop style) starts it. */
function connectTransport(serverUrl: string, args: string[], env: Record<string, string>): { transport: StdioClientTransport; stderr: () => string } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...CLI_NODE_ARGS, 'connect', serverUrl, ...args],
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  (transport.stderr as Readable).on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return { transport, stderr: () => stderr };
}

/** An SDK client that records every error, a line on stdout that is not JSON-RPC included. */
function stdioClient(): { client: Client; errors: Error[] } {
  const client = new Client({ name: 'stdio-only-client', version: '1.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => void errors.push(error);
  return { client, errors };
}

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as { type: string; text: string }[]).map((c) => c.text).join('');
}

describe('portcullis connect: a stdio MCP client reaches a server behind the gateway', () => {
  let gateway: TestGateway;
  let aliceId: string;
  let dir: string;
  let env: Record<string, string>;
  let browser: ReturnType<typeof recordingBrowser>;
  const clock = new TestClock();
  const authorize = (url: string) => new FormBrowser(gateway.issuer).authorize(url, ALICE);

  before(async () => {
    gateway = await startTestGateway({ gateway: { tokenCacheSeconds: 0 }, clock });
    aliceId = await gateway.addUser(ALICE.username, ALICE.password);
    dir = mkdtempSync(join(tmpdir(), 'portcullis-connect-'));
    browser = recordingBrowser(dir);
    env = { PORTCULLIS_HOME: join(dir, 'home'), PORTCULLIS_SECRET: SECRET, PORTCULLIS_BROWSER: browser.command, BROWSER: '' };
  });
  after(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without stored tokens and --no-login, says to run portcullis login URL', async () => {
    const run = await runCli(['connect', gateway.mcpUrl, '--no-login'], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`portcullis login ${gateway.mcpUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(run.stdout, '', 'nothing but JSON-RPC on stdout');
  });

  it('relays an MCP SDK client over stdio to the tools behind the gateway, with the stored tokens', async () => {
    const login = await loginThroughPages(gateway.mcpUrl, [], env, authorize);
    assert.equal(login.code, 0, login.stderr);

    const { transport, stderr } = connectTransport(gateway.mcpUrl, [], env);
    const { client, errors } = stdioClient();
    await client.connect(transport);
    try {
      assert.equal(client.getServerVersion()?.name, 'portcullis-example-notes');
      const tools = await client.listTools();
      assert.ok(tools.tools.some((t) => t.name === 'add_note'));
      const added = await client.callTool({ name: 'add_note', arguments: { title: 'over stdio', body: 'relayed by portcullis connect' } });
      assert.match(text(added), /over stdio/);
      const whoami = JSON.parse(text(await client.callTool({ name: 'whoami', arguments: {} }))) as { subject: string; headerNames: string[] };
      assert.equal(whoami.subject, aliceId, 'the call reached the server as the user who logged in');
      assert.ok(!whoami.headerNames.includes('authorization'), 'the token was not passed upstream');
    } finally {
      await client.close();
    }
    assert.deepEqual(errors, [], 'nothing but JSON-RPC came on stdout');
    assert.doesNotMatch(stderr(), /eyJ[\w-]+\.eyJ/, 'no token in the logs');
    for (const line of stderr().trim().split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), `stderr lines are JSON logs: ${line}`);
  });

  it('refreshes silently when the gateway finds the access token expired in the middle of a session', async () => {
    const storedAccessToken = async () => {
      const store = await openStore(`sqlite:${join(env['PORTCULLIS_HOME']!, 'portcullis-client.db')}`);
      try {
        return openTokens(createKeyring([SECRET]), (await store.mcpClient.findTokens('default', gateway.mcpUrl))!).access_token;
      } finally {
        await store.close();
      }
    };
    const before = await storedAccessToken();
    const { transport } = connectTransport(gateway.mcpUrl, [], env);
    const client = new Client({ name: 'stdio-only-client', version: '1.0.0' });
    await client.connect(transport);
    try {
      await client.callTool({ name: 'list_notes', arguments: {} });
      clock.advance(2 * 3600); // past the access token's life at the authorization server and the gateway
      const listed = await client.callTool({ name: 'list_notes', arguments: {} });
      assert.match(text(listed), /over stdio/, 'the call after expiry went through');
    } finally {
      await client.close();
    }
    assert.notEqual(await storedAccessToken(), before, 'a new access token was obtained and stored');
  });

  it('logs in first when there are no tokens, then relays', async () => {
    const { transport, stderr } = connectTransport(gateway.mcpUrl, ['--user', 'second-person', '--no-browser', '--scope', 'notes:read notes:write'], env);
    const { client, errors } = stdioClient();
    const connecting = client.connect(transport);
    const notice = await eventually(stderr, (s) => /open this URL in your browser to log in:\n\s+\S+/.test(s));
    const url = /open this URL in your browser to log in:\n\s+(\S+)/.exec(notice)?.[1];
    assert.ok(url, `connect printed the login URL on stderr: ${notice}`);
    await (await fetch(await authorize(url))).text();
    await connecting;
    try {
      const note = JSON.parse(text(await client.callTool({ name: 'add_note', arguments: { title: 'to delete', body: '' } }))) as { id: string };
      const deleted = await client.callTool({ name: 'delete_note', arguments: { id: note.id } });
      assert.notEqual(deleted.isError, true, 'the --scope asked for at login (notes:write) was granted');
      assert.match(text(deleted), new RegExp(`deleted ${note.id}`));
    } finally {
      await client.close();
    }
    assert.deepEqual(errors, [], "the login's progress went to stderr, not into the JSON-RPC stream");
    const tokens = JSON.parse((await runCli(['tokens', '--user', 'second-person', '--json'], env)).stdout) as { server: string; scope: string }[];
    assert.deepEqual(
      tokens.map((t) => t.server),
      [gateway.mcpUrl],
    );
    assert.match(tokens[0]!.scope, /notes:write/);
    const registered = (await gateway.store.clients.list()).filter((c) => c.source === 'dynamic');
    assert.equal(registered.length, 1, 'login, connect (http://127.0.0.1/callback) and its own login on another port share one registration');
  });

  it('when the authorization server has ended the login, exits with a message saying to log in again', async () => {
    const login = await loginThroughPages(gateway.mcpUrl, ['--user', 'revoked-person', '--json'], env, authorize);
    assert.equal(login.code, 0, login.stderr);
    const { client_id: clientId } = JSON.parse(login.stdout) as { client_id: string };
    // The whole grant ends at the authorization server (as when the user revokes consent).
    await gateway.store.consents.revoke(aliceId, clientId, Math.floor(Date.now() / 1000));

    const { transport, stderr } = connectTransport(gateway.mcpUrl, ['--user', 'revoked-person', '--no-login'], env);
    const client = new Client({ name: 'stdio-only-client', version: '1.0.0' });
    await assert.rejects(client.connect(transport));
    const message = await eventually(stderr, (s) => /portcullis login/.test(s));
    assert.match(message, /has ended|needs a new login/);
    assert.match(message, new RegExp(`portcullis login ${gateway.mcpUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await client.close();
  });
});
