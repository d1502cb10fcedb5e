import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openTokens } from '../../../src/client/sealed-values.js';
import { createKeyring } from '../../../src/core/seal.js';
import { openStore } from '../../../src/store/index.js';
import { FormBrowser } from '../../support/browser.js';
import { eventually, recordingBrowser, runCli, startCli } from '../../support/cli-process.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { authorizationServerDocument, startScriptedServer } from '../../support/scripted-oauth-server.js';

const ALICE = { username: 'alice', password: 'alice has a long password' };
const _TOOLS_LIST = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';

/** What a client holding `token` gets from the gateway for a plain `tools/list`. */
async function callGateway(mcpUrl: string, token: string): Promise<number> {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}',
  });
  await response.body?.cancel();
  return response.status;
}

// One session, in order: tokens and logout act on what the login before them stored, so they stay with it.
describe('portcullis login, tokens and logout against a real server and gateway', () => {
  let gateway: TestGateway;
  let dir: string;
  /** The default client database: PORTCULLIS_HOME/portcullis-client.db. */
  let env: Record<string, string>;
  let browser: ReturnType<typeof recordingBrowser>;

  before(async () => {
    gateway = await startTestGateway({ gateway: { tokenCacheSeconds: 0 } });
    await gateway.addUser(ALICE.username, ALICE.password);
    dir = mkdtempSync(join(tmpdir(), 'portcullis-login-'));
    browser = recordingBrowser(dir);
    // No PORTCULLIS_SECRET: the CLI creates its own next to the client database.
    env = { PORTCULLIS_HOME: join(dir, 'home'), PORTCULLIS_SECRET: '', PORTCULLIS_BROWSER: browser.command, BROWSER: '' };
  });
  after(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The tokens the CLI stored, unsealed in this process with the CLI's own master secret. */
  async function storedTokens(): Promise<{ access_token: string; refresh_token?: string | undefined }> {
    const db = `sqlite:${join(env['PORTCULLIS_HOME']!, 'portcullis-client.db')}`;
    const secret = readFileSync(join(env['PORTCULLIS_HOME']!, 'portcullis.secret'), 'utf8').trim();
    const store = await openStore(db);
    try {
      const row = await store.mcpClient.findTokens('default', gateway.mcpUrl);
      assert.ok(row, 'tokens were stored');
      return openTokens(createKeyring([secret]), row);
    } finally {
      await store.close();
    }
  }

  it('login opens the browser through PORTCULLIS_BROWSER, takes the loopback redirect and stores the tokens sealed', async () => {
    const cli = startCli(['login', gateway.mcpUrl, '--json'], env);
    const [, redirectUrl] = await cli.waitForStderr(/waiting for the redirect on (http:\/\/127\.0\.0\.1:\d+\/callback)/);
    assert.match(cli.stderr(), /opening the browser/);
    const [opened] = await eventually(browser.urls, (urls) => urls.length > 0);
    assert.ok(opened, 'the browser command was started with the authorization URL');
    const authorization = new URL(opened);
    assert.equal(authorization.origin, gateway.issuer);
    assert.equal(authorization.searchParams.get('redirect_uri'), redirectUrl);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorization.searchParams.get('resource'), gateway.mcpUrl);
    assert.ok(authorization.searchParams.get('state'));

    // The person signs in and approves in the browser, which is sent back to the loopback listener.
    const back = await new FormBrowser(gateway.issuer).authorize(opened, ALICE);
    assert.equal(`${back.origin}${back.pathname}`, redirectUrl);
    const page = await fetch(back);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /logged in/i);
    assert.doesNotMatch(html, new RegExp(back.searchParams.get('code')!), 'the page does not show the code');

    const run = await cli.exited;
    assert.equal(run.code, 0, run.stderr);
    const shown = JSON.parse(run.stdout) as { server: string; issuer: string; scope: string; expires_at: string; refreshable: boolean };
    assert.equal(shown.server, gateway.mcpUrl);
    assert.equal(shown.issuer, gateway.issuer);
    assert.match(shown.scope, /notes:read/);
    assert.ok(Date.parse(shown.expires_at) > Date.now());
    assert.match(run.stderr, /created a master secret/);
    assert.equal(statSync(join(env['PORTCULLIS_HOME']!, 'portcullis.secret')).mode & 0o777, 0o600);
    assert.ok(existsSync(join(env['PORTCULLIS_HOME']!, 'portcullis-client.db')), 'the default client database is PORTCULLIS_HOME/portcullis-client.db');

    // The stored access token works at the gateway; nothing the CLI printed or stored shows it.
    const tokens = await storedTokens();
    assert.equal(await callGateway(gateway.mcpUrl, tokens.access_token), 200);
    for (const secret of [tokens.access_token, tokens.refresh_token!]) {
      assert.doesNotMatch(run.stdout + run.stderr, new RegExp(secret.slice(0, 24)));
      for (const file of readdirSync(env['PORTCULLIS_HOME']!)) {
        assert.equal(readFileSync(join(env['PORTCULLIS_HOME']!, file)).includes(secret), false, `${file} holds no token in plaintext`);
      }
    }
  });

  it('tokens lists the server, issuer, scope and expiry, never a token', async () => {
    const listed = await runCli(['tokens', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const servers = JSON.parse(listed.stdout) as { server: string; issuer: string; scope: string; expires_at: string | null; refreshable: boolean }[];
    assert.deepEqual(
      servers.map((s) => [s.server, s.issuer]),
      [[gateway.mcpUrl, gateway.issuer]],
    );
    assert.match(servers[0]!.scope, /notes:read/);
    assert.equal(servers[0]!.refreshable, true);
    const human = await runCli(['tokens'], env);
    assert.match(human.stdout, /SERVER\s+ISSUER\s+SCOPE\s+EXPIRES/);
    const tokens = await storedTokens();
    for (const output of [listed.stdout, human.stdout]) {
      assert.doesNotMatch(output, new RegExp(tokens.access_token.slice(0, 24)));
      assert.doesNotMatch(output, new RegExp(tokens.refresh_token!.slice(0, 24)));
      assert.doesNotMatch(output, /eyJ|access_token|refresh_token/);
    }
    const someoneElse = await runCli(['tokens', '--user', 'bob', '--json'], env);
    assert.deepEqual(JSON.parse(someoneElse.stdout), [], 'tokens are kept per user');
  });

  it('logout revokes the tokens at the authorization server and deletes them', async () => {
    const tokens = await storedTokens();
    assert.equal(await callGateway(gateway.mcpUrl, tokens.access_token), 200);
    const out = await runCli(['logout', gateway.mcpUrl, '--json'], env);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout).removed.length, 1);
    assert.equal(await callGateway(gateway.mcpUrl, tokens.access_token), 401, 'the access token no longer works at the gateway');
    const refresh = await fetch(`${gateway.issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
        client_id: new URL(browser.urls()[0]!).searchParams.get('client_id')!,
      }),
    });
    assert.equal(refresh.status, 400);
    assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant', 'the refresh token was revoked');
    assert.deepEqual(JSON.parse((await runCli(['tokens', '--json'], env)).stdout), []);

    const again = await runCli(['logout', gateway.mcpUrl], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not logged in to/);
    assert.doesNotMatch(again.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a second login listens on another port but reuses the registration, and is not asked for consent again', async () => {
    const firstUrl = new URL(browser.urls()[0]!);
    const registered = async () => (await gateway.store.clients.list()).filter((c) => c.source === 'dynamic').length;
    const before = await registered();
    const cli = startCli(['login', gateway.mcpUrl, '--no-browser', '--json'], env);
    const [, url] = await cli.waitForStderr(/open this URL in your browser to log in:\n\s+(\S+)/);
    await cli.waitForStderr(/waiting for the redirect/);
    const authorization = new URL(url!);
    assert.equal(authorization.searchParams.get('client_id'), firstUrl.searchParams.get('client_id'), 'the same client');
    assert.match(
      authorization.searchParams.get('redirect_uri')!,
      /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
      'on the port this login listens on (the OS picks it)',
    );
    // Sign in again; the consent given to this client is remembered, so no consent page.
    const pageBrowser = new FormBrowser(gateway.issuer);
    let step = await pageBrowser.navigate(url!);
    const html = await step.response.text();
    assert.match(html, /name="password"/);
    step = await pageBrowser.submitForm({ html, url: step.url }, ALICE);
    assert.ok(step.leftTo, 'straight back to the client after signing in, without a consent page');
    await (await fetch(step.leftTo)).text();
    const run = await cli.exited;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await registered(), before, 'no new registration at the authorization server');
  });

  it('login --no-browser prints the URL and starts nothing; a denial at consent fails with a clear message', async () => {
    const before = browser.urls().length;
    const cli = startCli(['login', gateway.mcpUrl, '--no-browser', '--db', `sqlite:${join(dir, 'other.db')}`], {
      ...env,
      PORTCULLIS_SECRET: 'a-test-secret-of-at-least-32-characters!!',
    });
    const [, url] = await cli.waitForStderr(/open this URL in your browser to log in:\n\s+(\S+)/);
    await cli.waitForStderr(/waiting for the redirect on http:\/\/127\.0\.0\.1:\d+\/callback/);
    const back = await new FormBrowser(gateway.issuer).authorize(url!, ALICE, 'deny');
    const page = await fetch(back);
    assert.equal(page.status, 400);
    assert.match(await page.text(), /access_denied|authorization_denied/);
    const run = await cli.exited;
    assert.equal(run.code, 1);
    assert.match(run.stderr, /login failed/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(browser.urls().length, before, 'no browser was started');
  });

  it('login gives up after --timeout, and on Ctrl-C, closing the loopback listener', async () => {
    const timedOut = startCli(['login', gateway.mcpUrl, '--no-browser', '--timeout', '1'], env);
    const [, waitedOn] = await timedOut.waitForStderr(/waiting for the redirect on (\S+)/);
    const late = await timedOut.exited;
    assert.equal(late.code, 1);
    assert.match(late.stderr, /timed out/);
    await assert.rejects(fetch(waitedOn!), /fetch failed/, 'nothing listens on the redirect port any more');

    const interrupted = startCli(['login', gateway.mcpUrl, '--no-browser'], env);
    await interrupted.waitForStderr(/waiting for the redirect on/);
    interrupted.child.kill('SIGINT');
    const cancelled = await interrupted.exited;
    assert.equal(cancelled.code, 1);
    assert.match(cancelled.stderr, /login cancelled/);
    assert.doesNotMatch(cancelled.stderr, /\n\s+at /, 'no stack trace');
  });

  it('refuses a URL that is not an http(s) MCP server URL', async () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url']) {
      const run = await runCli(['login', url, '--no-browser'], env);
      assert.equal(run.code, 1, url);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});

describe('portcullis login: what it asks for, and how it keeps its database', () => {
  let gateway: TestGateway;
  let dir: string;

  before(async () => {
    gateway = await startTestGateway();
    await gateway.addUser(ALICE.username, ALICE.password);
    dir = mkdtempSync(join(tmpdir(), 'portcullis-login-private-'));
  });
  after(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("asks for the scope of the server's challenge, not every scope it supports; --scope adds to it", async () => {
    const home = join(dir, 'scope-home');
    const env = { PORTCULLIS_HOME: home, PORTCULLIS_SECRET: '', BROWSER: '' };
    const supported = ((await (await fetch(`${gateway.issuer}/.well-known/oauth-protected-resource/mcp`)).json()) as { scopes_supported: string[] })
      .scopes_supported;
    assert.ok(supported.length > 1 && supported.includes('notes:write'), 'the resource supports more than its challenge asks for');
    for (const [args, expected] of [
      [[], 'notes:read'],
      [['--scope', 'notes:write'], 'notes:read notes:write'],
    ] as const) {
      const cli = startCli(['login', gateway.mcpUrl, '--no-browser', '--timeout', '2', ...args], env);
      const [, url] = await cli.waitForStderr(/open this URL in your browser to log in:\n\s+(\S+)/);
      assert.equal(new URL(url!).searchParams.get('scope'), expected, args.join(' ') || 'no --scope');
      cli.child.kill('SIGINT');
      await cli.exited;
    }
  });

  it('creates the client database, its -wal and -shm private to the user (0600), like the secret next to them', async () => {
    const home = join(dir, 'fresh-home');
    const cli = startCli(['login', gateway.mcpUrl, '--no-browser', '--json'], { PORTCULLIS_HOME: home, PORTCULLIS_SECRET: '', BROWSER: '' });
    const [, url] = await cli.waitForStderr(/open this URL in your browser to log in:\n\s+(\S+)/);
    await cli.waitForStderr(/waiting for the redirect/);
    await new FormBrowser(gateway.issuer)
      .authorize(url!, ALICE)
      .then((back) => fetch(back))
      .then((page) => page.text());
    const run = await cli.exited;
    assert.equal(run.code, 0, run.stderr);
    const db = join(home, 'portcullis-client.db');
    // While a process has it open, SQLite keeps its -wal and -shm beside it: look at them then.
    const store = await openStore(`sqlite:${db}`);
    try {
      await store.mcpClient.findTokens('default', gateway.mcpUrl);
      for (const file of [db, `${db}-wal`, `${db}-shm`, join(home, 'portcullis.secret')]) {
        assert.ok(existsSync(file), `${file} exists`);
        assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is 0600`);
      }
    } finally {
      await store.close();
    }
  });

  it('registers as a native application (application_type)', async () => {
    const server = await startScriptedServer();
    try {
      const issuer = `${server.origin}/as`;
      server.serve('/.well-known/oauth-protected-resource/mcp', { resource: `${server.origin}/mcp`, authorization_servers: [issuer] });
      server.serve('/.well-known/oauth-authorization-server/as', authorizationServerDocument(issuer));
      server.serve('/as/register', { client_id: 'cli-client', token_endpoint_auth_method: 'none' });
      const cli = startCli(['login', `${server.origin}/mcp`, '--no-browser', '--timeout', '1'], {
        PORTCULLIS_HOME: join(dir, 'typed-home'),
        PORTCULLIS_SECRET: '',
        BROWSER: '',
      });
      await cli.waitForStderr(/open this URL in your browser/);
      cli.child.kill('SIGINT');
      await cli.exited;
      const registration = server.requests.find((r) => r.path === '/as/register');
      assert.ok(registration, 'the CLI registered');
      assert.equal((JSON.parse(registration.body) as { application_type?: string }).application_type, 'native');
    } finally {
      await server.close();
    }
  });
});
