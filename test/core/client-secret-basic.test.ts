/**
 * HTTP Basic client authentication (RFC 6749 §2.3.1): the id and secret are form-encoded
 * (Appendix B) before base64, with the unreserved characters `- . _ ~` left as they are, so a
 * server that decodes the credential and one that compares the client id raw both accept ids such
 * as UUIDs. Each is a real HTTP token endpoint on loopback, reached through a login.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientAuthError } from '../../src/client/index.js';
import { formEncodeCredential } from '../../src/core/client-secret-basic.js';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';
import {
  approvedCallback,
  authorizationServerDocument,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
} from '../support/scripted-oauth-server.js';

const CLIENT_ID = '0b9e3c4a-5d6f-4a1b-9c8d-7e6f5a4b3c2d.app_id~1';

function basicCredential(request: RecordedRequest): [string, string] | undefined {
  const header = String(request.headers['authorization'] ?? '');
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** RFC 6749 §2.3.1 as written: each part form-decoded. */
const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

describe('form encoding of Basic credentials', () => {
  it('leaves unreserved characters as they are and encodes everything else', () => {
    assert.equal(formEncodeCredential('A-z0.9_~'), 'A-z0.9_~');
    assert.equal(formEncodeCredential("a b:c+d%e!f*g'h(i)j/k&l=ü"), 'a+b%3Ac%2Bd%25e%21f%2Ag%27h%28i%29j%2Fk%26l%3D%C3%BC');
    for (const value of [CLIENT_ID, "p@ss: w+rd!*'()%~ü"]) assert.equal(formDecode(formEncodeCredential(value)), value, 'round trip');
  });
});

describe('client_secret_basic against token endpoints that decode and that compare raw', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  const mcpUrl = () => `${server.origin}/mcp`;
  const secrets = { decoding: "s3cret: with+symbols!*'()%~ü", raw: 'plain-secret_1.2~3' };

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
    for (const name of ['decoding', 'raw'] as const) {
      const issuer = `${server.origin}/${name}`;
      server.serve(
        `/.well-known/oauth-authorization-server/${name}`,
        authorizationServerDocument(issuer, { token_endpoint_auth_methods_supported: ['client_secret_basic'] }),
      );
      server.routes.set(`/${name}/token`, (request) => {
        const credential = basicCredential(request);
        const [id, secret] = name === 'decoding' && credential !== undefined ? credential.map(formDecode) : (credential ?? []);
        if (id !== CLIENT_ID || secret !== secrets[name]) return { status: 401, json: { error: 'invalid_client' } };
        return { json: { access_token: `${name}-token`, token_type: 'Bearer', expires_in: 3600 } };
      });
    }
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });

  for (const name of ['decoding', 'raw'] as const) {
    it(`logs in with a client id holding - . _ ~ at a server that ${name === 'raw' ? 'compares it raw' : 'form-decodes it'}`, async () => {
      const issuer = `${server.origin}/${name}`;
      const secret = secrets[name];
      // The first listed authorization server is used: list this one first.
      server.serve('/.well-known/oauth-protected-resource/mcp', { resource: mcpUrl(), authorization_servers: [issuer] });
      const { oauth } = newProvider({
        store: client.store.mcpClient,
        userId: `basic-${name}`,
        serverUrl: mcpUrl(),
        preRegistered: [{ issuer, clientId: CLIENT_ID, clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_basic' }],
      });
      const started = await oauth.start();
      await oauth.callback(approvedCallback(started.url, issuer)).catch((error: unknown) => {
        assert.fail(`the token endpoint refused the credential: ${error instanceof ClientAuthError ? error.code : String(error)}`);
      });
      assert.equal(await oauth.accessToken(), `${name}-token`);
      const exchange = server.requests.filter((r) => r.path === `/${name}/token`).at(-1)!;
      assert.equal(exchange.form.get('client_secret'), null, 'the secret is not in the body');
    });
  }
});
