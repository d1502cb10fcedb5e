import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { type RunningNotesServer, startNotesServer } from '../../src/example/notes-server.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import { CrossOriginBrowser, type Page } from '../support/cross-origin-browser.js';
import { freePort, startTestGateway, type TestGateway } from '../support/gateway.js';
import { parseForms } from '../support/html-form.js';
import { MemoryProvider } from '../support/mcp-sdk-provider.js';
import { type OidcUpstream, startOidcUpstream } from '../support/oidc-upstream.js';

interface TextResult {
  content: { type: string; text: string }[];
}
const textOf = (result: unknown) => (result as TextResult).content.map((c) => c.text).join('');

/** The notes server behind a pass-through that remembers the headers of every request the gateway sent it. */
async function recordingUpstream(notes: RunningNotesServer): Promise<{ url: string; seen: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const target = new URL(notes.url);
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const forwarded = httpRequest(
      { hostname: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mcp`, seen, close: () => closeHttpServer(server) };
}

const CLIENT_REDIRECT = 'http://127.0.0.1:47621/callback';
const atClient = (url: URL) => url.href.startsWith(CLIENT_REDIRECT);

/**
 * Federation end to end with a real OpenID provider upstream (oidc-provider): the MCP SDK client
 * → gateway 401 → Portcullis /authorize → login page (provider buttons) → Portcullis consent →
 * upstream login and consent → Portcullis callback → code → tokens → tools through the gateway,
 * which hands the upstream access token to the MCP server in the configured header.
 */
describe('federation with oidc-provider upstream', () => {
  let upstream: OidcUpstream;
  let stack: TestGateway;
  let notes: RunningNotesServer;
  let recorder: Awaited<ReturnType<typeof recordingUpstream>>;
  const browser = new CrossOriginBrowser();
  const provider = new MemoryProvider({ redirectUrl: CLIENT_REDIRECT, clientName: 'Federated SDK client' });

  before(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    upstream = await startOidcUpstream({
      clients: [{ clientId: 'portcullis', clientSecret: 'upstream-client-secret', redirectUris: [`${issuer}/federation/corp/callback`] }],
      accounts: {
        alice: { email: 'alice@example.com', email_verified: true, name: 'Alice', groups: ['mcp-users'] },
        mallory: { email: 'mallory@evil.example', email_verified: true, name: 'Mallory' },
      },
      accessTokenTtlSeconds: 6,
    });
    notes = await startNotesServer({ port: 0, host: '127.0.0.1' });
    recorder = await recordingUpstream(notes);
    const deadPort = await freePort();
    stack = await startTestGateway({
      port,
      settings: {
        federation: {
          localUsers: false,
          providers: [
            {
              id: 'corp',
              name: 'Corp SSO',
              type: 'oidc',
              issuer: upstream.issuer,
              clientId: 'portcullis',
              clientSecret: 'upstream-client-secret',
              scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
              access: { emailDomains: ['example.com'] },
            },
            { id: 'offline', name: 'Offline IdP', type: 'oidc', issuer: `http://127.0.0.1:${deadPort}`, clientId: 'portcullis', timeoutSeconds: 2 },
          ],
        },
      },
      gateway: { upstream: recorder.url, upstreamTokenHeader: 'X-Upstream-Token' },
    });
  });
  after(async () => {
    await stack.close();
    await recorder.close();
    await notes.close();
    await upstream.close();
  });

  /** A new MCP SDK client that got the 401 and has an authorization URL to send the user to. */
  async function unauthorizedClient(clientName: string): Promise<MemoryProvider> {
    const client = new MemoryProvider({ redirectUrl: CLIENT_REDIRECT, clientName });
    await assert.rejects(
      new Client({ name: 'fed', version: '1.0.0' }).connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: client })),
      UnauthorizedError,
    );
    return client;
  }

  /** From the authorization URL to the Portcullis consent page, choosing `providerId` on the login page. */
  async function toConsent(authorizationUrl: string, providerId: string, browser: CrossOriginBrowser): Promise<{ page: Page; html: string }> {
    const login = await browser.navigate(authorizationUrl, {}, atClient);
    const loginHtml = await login.response.text();
    assert.match(loginHtml, /Sign in with <bdi>Corp SSO<\/bdi>/);
    assert.doesNotMatch(loginHtml, /name="password"/, 'local users are off');
    const formIndex = parseForms(loginHtml).findIndex((f) => f.buttons.some((b) => b.value === providerId));
    assert.ok(formIndex >= 0, `a button for ${providerId}`);
    const consent = await browser.submitForm({ html: loginHtml, url: login.url }, { provider: providerId }, { formIndex, stopAt: atClient });
    const html = await consent.response.text();
    return { page: consent, html };
  }

  it('signs a user in upstream after consent, issues Portcullis tokens, and the gateway hands the upstream token on', async () => {
    const first = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider });
    await assert.rejects(new Client({ name: 'fed', version: '1.0.0' }).connect(first), UnauthorizedError);

    const { page, html } = await toConsent(provider.authorizationUrl!.href, 'corp', browser);
    // The consent comes first: nothing has been sent upstream yet.
    assert.equal(new URL(page.url).origin, stack.issuer);
    assert.match(html, /Federated SDK client/);
    assert.match(html, /you sign in with <strong><bdi>Corp SSO<\/bdi><\/strong>/);
    const tokenRequestsBefore = upstream.tokenRequests().authorization_code;

    const atUpstream = await browser.submitForm({ html, url: page.url }, { decision: 'approve' }, { stopAt: atClient });
    assert.equal(new URL(atUpstream.url).origin, upstream.issuer, 'sent to the identity provider');
    const back = await upstream.signIn(browser, atUpstream, 'alice', 'approve', atClient);
    assert.ok(back.stoppedAt, 'back at the MCP client');
    assert.equal(back.stoppedAt.searchParams.get('iss'), stack.issuer, 'RFC 9207 iss of Portcullis, not of the upstream');
    assert.equal(back.stoppedAt.searchParams.get('state'), 'sdk-state-123');
    assert.equal(upstream.tokenRequests().authorization_code, tokenRequestsBefore + 1);

    await first.finishAuth(back.stoppedAt.searchParams.get('code')!);
    const portcullisToken = provider.saved!.access_token;
    assert.equal(decodeJwt(portcullisToken).iss, stack.issuer, 'the MCP client holds a Portcullis token, not an upstream one');

    const client = new Client({ name: 'fed', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider }));
    const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as Record<string, unknown>;
    const user = await stack.store.users.findById(who['subject'] as string);
    assert.equal(user?.username, 'corp:alice', 'a local user linked to the upstream account');
    const identity = await stack.store.federation.findIdentityOfUser(user!.id);
    assert.equal(identity?.email, 'alice@example.com');

    const sent = recorder.seen.at(-1)!;
    assert.equal(sent['authorization'], undefined, 'no token passthrough');
    const upstreamToken = sent['x-upstream-token'] as string;
    assert.ok(upstreamToken, 'the upstream access token in the configured header');
    assert.ok(await upstream.isTokenActive(upstreamToken), 'a live token of the identity provider');
    // Invariant 7: the upstream tokens are stored sealed, never as they are.
    const stored = await stack.store.federation.findUpstreamTokens((decodeJwt(portcullisToken).jti as string).split('.')[0]!);
    assert.match(stored!.sealed, /^v1\./);
    assert.ok(!stored!.sealed.includes(upstreamToken), 'the upstream access token is not stored in plaintext');

    // A client cannot inject its own value for the header.
    recorder.seen.length = 0;
    const forged = new Client({ name: 'fed', version: '1.0.0' });
    await forged.connect(
      new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider, requestInit: { headers: { 'X-Upstream-Token': 'forged' } } }),
    );
    await forged.callTool({ name: 'whoami', arguments: {} });
    assert.ok(recorder.seen.every((h) => h['x-upstream-token'] !== 'forged'));

    // The upstream token lives 6 s: past half its life it is refreshed, once for concurrent calls.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const refreshesBefore = upstream.tokenRequests().refresh_token;
    recorder.seen.length = 0;
    await Promise.all(Array.from({ length: 5 }, () => client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(upstream.tokenRequests().refresh_token, refreshesBefore + 1, 'exactly one upstream refresh');
    const refreshed = new Set(recorder.seen.map((h) => h['x-upstream-token']));
    assert.equal(refreshed.size, 1);
    assert.notEqual([...refreshed][0], upstreamToken);
    assert.ok(await upstream.isTokenActive([...refreshed][0] as string));
  });

  it('asks again for a second MCP client, and never sends the user upstream for it before consent', async () => {
    const second = await unauthorizedClient('Second client (unapproved)');
    // The browser has a Portcullis session and an upstream session from the first test.
    const page = await browser.navigate(second.authorizationUrl!.href, {}, atClient);
    assert.equal(page.stoppedAt, undefined, 'no code without consent');
    assert.equal(new URL(page.url).origin, stack.issuer, 'not sent upstream');
    const html = await page.response.text();
    assert.match(html, /Second client \(unapproved\)/);
    assert.match(html, /name="decision" value="approve"/);

    // The first client's consent is remembered: it goes through the upstream without a page here.
    const url = new URL(provider.authorizationUrl!.href);
    url.searchParams.set('state', 'second-run');
    const direct = await browser.navigate(url.href, {}, atClient);
    const through = direct.stoppedAt === undefined ? await upstream.signIn(browser, direct, 'alice', 'approve', atClient) : direct;
    assert.equal(through.stoppedAt?.searchParams.get('state'), 'second-run');
    assert.ok(through.stoppedAt?.searchParams.get('code'));
  });

  it('refuses an account outside the allowed domains with a page, and tells the client access_denied', async () => {
    const outsider = new CrossOriginBrowser();
    const client = await unauthorizedClient('Outsider client');
    const consent = await toConsent(client.authorizationUrl!.href, 'corp', outsider);
    const atUpstream = await outsider.submitForm({ html: consent.html, url: consent.page.url }, { decision: 'approve' }, { stopAt: atClient });
    const end = await upstream.signIn(outsider, atUpstream, 'mallory', 'approve', atClient);
    assert.equal(end.stoppedAt, undefined);
    assert.equal(end.response.status, 403);
    const html = await end.response.text();
    assert.match(html, /This account is not allowed/);
    assert.match(html, /mallory@evil\.example/);
    const link = /href="([^"]+)"/.exec(html.slice(html.indexOf('Return to') - 300))![1]!.replace(/&amp;/g, '&');
    const back = new URL(link);
    assert.ok(atClient(back));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('iss'), stack.issuer);
    assert.equal(await stack.store.users.findByUsername('corp:mallory'), undefined, 'no user created');
  });

  it('sends access_denied back when the user cancels at the identity provider', async () => {
    const other = new CrossOriginBrowser();
    const client = await unauthorizedClient('Cancelled client');
    const consent = await toConsent(client.authorizationUrl!.href, 'corp', other);
    const atUpstream = await other.submitForm({ html: consent.html, url: consent.page.url }, { decision: 'approve' }, { stopAt: atClient });
    const end = await upstream.signIn(other, atUpstream, 'alice', 'deny', atClient);
    assert.equal(end.stoppedAt?.searchParams.get('error'), 'access_denied');
    assert.equal(end.stoppedAt?.searchParams.get('state'), 'sdk-state-123');
    assert.equal(end.stoppedAt?.searchParams.get('iss'), stack.issuer);
  });

  it('shows a page and returns temporarily_unavailable when the identity provider is down', async () => {
    const other = new CrossOriginBrowser();
    const client = await unauthorizedClient('Down client');
    const consent = await toConsent(client.authorizationUrl!.href, 'offline', other);
    assert.match(consent.html, /Offline IdP/);
    const end = await other.submitForm({ html: consent.html, url: consent.page.url }, { decision: 'approve' }, { stopAt: atClient });
    assert.equal(end.response.status, 503);
    const html = await end.response.text();
    assert.match(html, /Offline IdP is not responding/);
    const link = new URL(/href="(http:\/\/127\.0\.0\.1:47621[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&'));
    assert.equal(link.searchParams.get('error'), 'temporarily_unavailable');
    assert.equal(link.searchParams.get('state'), 'sdk-state-123');
  });

  it('revokes the upstream tokens when the MCP client revokes its grant', async () => {
    // A fresh grant (the consent is remembered, the upstream session too): its upstream token lives 6 s.
    const fresh = new MemoryProvider({ redirectUrl: CLIENT_REDIRECT, clientName: 'Federated SDK client' });
    fresh.client = provider.client;
    const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: fresh });
    await assert.rejects(new Client({ name: 'fed', version: '1.0.0' }).connect(transport), UnauthorizedError);
    const direct = await browser.navigate(fresh.authorizationUrl!.href, {}, atClient);
    const through = direct.stoppedAt === undefined ? await upstream.signIn(browser, direct, 'alice', 'approve', atClient) : direct;
    await transport.finishAuth(through.stoppedAt!.searchParams.get('code')!);
    recorder.seen.length = 0;
    const client = new Client({ name: 'fed', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: fresh }));
    await client.callTool({ name: 'whoami', arguments: {} });
    const upstreamToken = recorder.seen.at(-1)!['x-upstream-token'] as string;
    assert.ok(await upstream.isTokenActive(upstreamToken));

    const metadata = (await (await fetch(`${stack.issuer}/.well-known/oauth-authorization-server`)).json()) as { revocation_endpoint: string };
    const revoked = await fetch(metadata.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: fresh.saved!.refresh_token!, client_id: fresh.client!.client_id }),
    });
    assert.equal(revoked.status, 200);
    // Well before the token's own expiry: it was revoked, not timed out.
    const grantId = (decodeJwt(fresh.saved!.access_token).jti as string).split('.')[0]!;
    const started = Date.now();
    while (Date.now() - started < 2000 && (await stack.store.federation.findUpstreamTokens(grantId)) !== undefined)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await stack.store.federation.findUpstreamTokens(grantId), undefined, 'revoked upstream, then forgotten here');
    assert.equal(await upstream.isTokenActive(upstreamToken), false, 'revoked at the identity provider');

    // The gateway no longer hands anything on for the revoked grant: the client must sign in again.
    const after = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fresh.saved!.access_token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(after.status, 401);
  });
});
