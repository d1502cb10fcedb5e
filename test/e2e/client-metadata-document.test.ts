import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import { FormBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A client identified by a Client ID Metadata Document URL goes through the whole flow without
 * registering: the server fetches the document, shows its name on the consent page, and issues
 * tokens to that client id. Documents are served over loopback http, so these servers use the
 * dangerous loopback switch; a server without it refuses the same client id.
 */
describe('Client ID Metadata Document clients end to end', () => {
  let documents: Server;
  let clientId: string;
  let server: TestServer;
  let strictServer: TestServer;
  const redirectUri = 'http://127.0.0.1:41234/callback';

  before(async () => {
    documents = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=300' }).end(
        JSON.stringify({
          client_id: clientId,
          client_name: 'Metadata Doc App',
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'none',
        }),
      );
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    clientId = `http://127.0.0.1:${(documents.address() as AddressInfo).port}/oauth/client.json`;
    server = await startTestServer({ settings: { clientMetadataDocuments: { dangerouslyAllowLoopback: true } } });
    strictServer = await startTestServer();
    await server.addUser('dora', 'dora password 123');
  });
  after(async () => {
    documents.close();
    await server.close();
    await strictServer.close();
  });

  const authorizationUrl = (issuer: string, verifier: string) => {
    const url = new URL(`${issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      code_challenge: computeS256Challenge(verifier),
      code_challenge_method: 'S256',
      state: 'cimd',
    }).toString();
    return url.href;
  };

  it('shows the document name on the consent page and issues tokens to the URL client id', async () => {
    const verifier = randomSecret(32);
    const browser = new FormBrowser(server.url);
    const login = await browser.navigate(authorizationUrl(server.url, verifier));
    const consent = await browser.submitForm({ html: await login.response.text(), url: login.url }, { username: 'dora', password: 'dora password 123' });
    const consentHtml = await consent.response.text();
    assert.match(consentHtml, /Metadata Doc App/);
    assert.match(consentHtml, /not verified/i);
    const approved = await browser.submitForm({ html: consentHtml, url: consent.url }, { decision: 'approve' });
    const callback = new URL(approved.leftTo!);
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: clientId,
      }),
    });
    assert.equal(response.status, 200);
    const tokens = (await response.json()) as { access_token: string; refresh_token: string };
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as { client_id: string };
    assert.equal(claims.client_id, clientId);
    assert.ok(tokens.refresh_token);
  });

  it('refuses a redirect URI the document does not list, as a page', async () => {
    const url = new URL(authorizationUrl(server.url, randomSecret(32)));
    url.searchParams.set('redirect_uri', 'http://127.0.0.1:41234/other');
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
  });

  it('is refused by a server without the loopback switch (SSRF protection)', async () => {
    const response = await fetch(authorizationUrl(strictServer.url, randomSecret(32)), { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  });
});
