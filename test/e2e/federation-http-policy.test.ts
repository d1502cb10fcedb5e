import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomSecret } from '../../src/core/secrets.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import {
  authorizationParams,
  authorizationUrl,
  DEFAULT_REDIRECT_URI,
  discover,
  registerPublicClient,
  type ServerMetadata,
} from '../support/authorization-flow.js';
import { eventually, type RunningCli, startCli } from '../support/cli-process.js';
import { CrossOriginBrowser, type Page } from '../support/cross-origin-browser.js';
import { freePort, startTestGateway, type TestGateway } from '../support/gateway.js';
import { parseForms } from '../support/html-form.js';

/**
 * Which upstream endpoints federation may use over plain http (docs/federation.md, "Configure"; OAuth 2.1 §1.5): none for an https
 * provider, whatever the host, loopback included; for a provider whose issuer is http on loopback
 * (development), only endpoints on loopback. A provider naming another is refused with a page
 * before the browser is sent anywhere, and the endpoint never gets a request.
 */

const atClient = (url: URL) => url.href.startsWith(DEFAULT_REDIRECT_URI);

interface Listener {
  url: string;
  /** `METHOD /path` of every request received. */
  requests: string[];
  close(): Promise<void>;
}

async function listen(
  server: ReturnType<typeof createHttpServer>,
  scheme: 'http' | 'https',
  handle: (request: IncomingMessage, response: ServerResponse, url: string) => void,
): Promise<Listener> {
  const requests: string[] = [];
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    requests.push(`${request.method} ${request.url}`);
    handle(request, response, url);
  });
  return {
    url,
    requests,
    close: () => closeHttpServer(server),
  };
}

/** A plain http server that counts requests and answers each like a token endpoint refusing the code. */
function startCountingEndpoint(): Promise<Listener> {
  return listen(createHttpServer(), 'http', (_request, response) => {
    response.writeHead(400, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end('{"error":"invalid_grant"}');
  });
}

/**
 * An OpenID Provider that is only metadata and an authorization endpoint approving at once; its
 * discovery document names `tokenEndpoint(issuer)` as the token endpoint. With `tls`, it serves https.
 */
function startMetadataProvider(tokenEndpoint: (issuer: string) => string, tls?: { key: string; cert: string }): Promise<Listener> {
  const server = tls === undefined ? createHttpServer() : createHttpsServer(tls);
  return listen(server, tls === undefined ? 'http' : 'https', (request, response, issuer) => {
    const url = new URL(request.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      const document = {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: tokenEndpoint(issuer),
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      };
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(document));
      return;
    }
    if (url.pathname === '/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', randomSecret(16));
      back.searchParams.set('state', url.searchParams.get('state')!);
      back.searchParams.set('iss', issuer);
      response.writeHead(302, { Location: back.href }).end();
      return;
    }
    response.writeHead(404).end();
  });
}

/**
 * Login page → the provider's button → consent → approve, as far as Portcullis lets it go. If
 * Portcullis sends the browser to the provider, the provider's answer (fetched with `ca` when it is
 * https: the test process does not trust the test CA) is followed back to Portcullis, so a token
 * request that Portcullis would make is made. Returns the page the flow ends on.
 */
async function signInThroughProvider(as: ServerMetadata, clientId: string, providerOrigin: string, ca?: string): Promise<Page> {
  const browser = new CrossOriginBrowser();
  const atProvider = (url: URL) => url.origin === providerOrigin;
  const stop = (url: URL) => atProvider(url) || atClient(url);
  const login = await browser.navigate(authorizationUrl(as, authorizationParams(clientId)), {}, stop);
  const loginHtml = await login.response.text();
  const formIndex = parseForms(loginHtml).findIndex((form) => form.buttons.some((button) => button.name === 'provider'));
  assert.notEqual(formIndex, -1, `a provider button on the login page: ${loginHtml.slice(0, 300)}`);
  const consent = await browser.submitForm({ html: loginHtml, url: login.url }, { provider: 'corp' }, { formIndex, stopAt: stop });
  const approved = await browser.submitForm({ html: await consent.response.text(), url: consent.url }, { decision: 'approve' }, { stopAt: stop });
  if (approved.stoppedAt === undefined || !atProvider(approved.stoppedAt)) return approved;
  const callback =
    ca === undefined ? (await fetch(approved.stoppedAt, { redirect: 'manual' })).headers.get('location') : await httpsLocation(approved.stoppedAt, ca);
  assert.ok(callback, 'the provider redirects back');
  return browser.navigate(callback, {}, atClient);
}

function httpsLocation(url: URL, ca: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (response) => {
      response.resume();
      resolve(response.headers.location ?? null);
    }).on('error', reject);
  });
}

/** The refusal: a page a person can read (502, HTML, says what happened), no redirect, no 500, no stack. */
async function assertRefusedWithPage(page: Page): Promise<void> {
  const html = await page.response.text();
  assert.equal(page.stoppedAt, undefined, `no redirect anywhere, got one to ${page.stoppedAt?.href}`);
  assert.equal(page.response.status, 502, html.slice(0, 300));
  assert.match(page.response.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(html, /Signing in with <bdi>Corp SSO<\/bdi> failed|Signing in with Corp SSO failed/);
  assert.doesNotMatch(html, /\n\s+at |Error:/, 'no stack trace, no raw error');
  // The page's button gives the MCP client an OAuth error it can act on.
  assert.match(html, /error=server_error/);
}

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('federation with an https provider whose metadata names an http endpoint', {
  skip: opensslAvailable() ? false : 'the openssl command is needed to make a test certificate',
}, () => {
  let dir: string;
  let cert: string;
  let provider: Listener;
  let tokenEndpoint: Listener;
  let serving: RunningCli;
  let as: ServerMetadata;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-federation-tls-'));
    // A self-signed certificate for 127.0.0.1, trusted by the server process through
    // NODE_EXTRA_CA_CERTS: a real TLS provider, with nothing turned off to reach it.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tokenEndpoint = await startCountingEndpoint();
    // On loopback, even: an https provider never has an http endpoint used, whatever its host.
    provider = await startMetadataProvider(() => `${tokenEndpoint.url}/token`, { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert });
    const config = join(dir, 'portcullis.json');
    writeFileSync(
      config,
      JSON.stringify({
        federation: {
          localUsers: false,
          providers: [
            { id: 'corp', name: 'Corp SSO', type: 'oidc', issuer: provider.url, clientId: 'portcullis', clientSecret: 'corp-secret', timeoutSeconds: 5 },
          ],
        },
      }),
    );
    serving = startCli(['serve', '--port', '0', '--db', `sqlite:${join(dir, 'portcullis.db')}`, '--config', config, '--json'], {
      PORTCULLIS_SECRET: randomSecret(32),
      NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
    });
    const summary = await new Promise<{ issuer: string }>((resolve, reject) => {
      const timer = setInterval(() => {
        try {
          resolve(JSON.parse(serving.stdout()) as { issuer: string });
          clearInterval(timer);
        } catch {
          /* not the whole document yet */
        }
      }, 50);
      void serving.exited.then((run) => {
        clearInterval(timer);
        reject(new Error(`serve exited ${run.code}: ${run.stderr}`));
      });
    });
    as = await discover(summary.issuer);
  });
  after(async () => {
    serving?.child.kill('SIGTERM');
    await serving?.exited;
    await provider?.close();
    await tokenEndpoint?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the provider with a readable page, and the http token endpoint never gets a request', async () => {
    const clientId = await registerPublicClient(as);
    await assertRefusedWithPage(await signInThroughProvider(as, clientId, provider.url, cert));
    assert.deepEqual(tokenEndpoint.requests, [], 'nothing sent to the http endpoint');
    assert.ok(provider.requests.includes('GET /.well-known/openid-configuration'), 'the https discovery itself worked (the test CA is trusted)');
    assert.ok(!provider.requests.some((request) => request.startsWith('GET /authorize')), 'the browser is not sent to the provider either');
    // The log comes through the child's stderr pipe, which may lag behind the HTTP answer.
    const log = await eventually(
      () => serving.stderr(),
      (stderr) => /upstream_login_failed/.test(stderr),
    );
    assert.match(log, /upstream_login_failed/);
    assert.match(log, /token_endpoint/, 'the log says which endpoint was refused');
  });
});

describe('federation with an http provider on loopback (development)', () => {
  let tokenEndpoint: Listener;
  let offLoopback: Listener;
  let onLoopback: Listener;
  let stack: TestGateway;
  let as: ServerMetadata;
  let clientId: string;

  async function startWith(provider: Listener): Promise<void> {
    const port = await freePort();
    stack = await startTestGateway({
      port,
      settings: {
        federation: {
          localUsers: false,
          providers: [
            { id: 'corp', name: 'Corp SSO', type: 'oidc', issuer: provider.url, clientId: 'portcullis', clientSecret: 'corp-secret', timeoutSeconds: 2 },
          ],
        },
      },
    });
    as = await discover(stack.issuer);
    clientId = await registerPublicClient(as);
  }

  before(async () => {
    tokenEndpoint = await startCountingEndpoint();
    // 0.0.0.0 is not a loopback name, yet on Linux it reaches a server listening on 127.0.0.1,
    // so the counter sees any request that the policy would let through.
    offLoopback = await startMetadataProvider(() => `http://0.0.0.0:${new URL(tokenEndpoint.url).port}/token`);
    onLoopback = await startMetadataProvider(() => `${tokenEndpoint.url}/token`);
  });
  after(async () => {
    await offLoopback.close();
    await onLoopback.close();
    await tokenEndpoint.close();
  });

  it('refuses a metadata document naming an http endpoint off loopback, and sends it nothing', async (t) => {
    await startWith(offLoopback);
    t.after(() => stack.close());
    tokenEndpoint.requests.length = 0;
    await assertRefusedWithPage(await signInThroughProvider(as, clientId, offLoopback.url));
    assert.deepEqual(tokenEndpoint.requests, []);
    assert.ok(!offLoopback.requests.some((request) => request.startsWith('GET /authorize')), 'the browser is not sent to the provider');
  });

  it('still uses http endpoints on loopback (the control: the counter does see requests)', async (t) => {
    await startWith(onLoopback);
    t.after(() => stack.close());
    tokenEndpoint.requests.length = 0;
    const end = await signInThroughProvider(as, clientId, onLoopback.url);
    await end.response.text();
    assert.deepEqual(tokenEndpoint.requests, ['POST /token'], 'the code was taken to the loopback token endpoint');
  });
});
