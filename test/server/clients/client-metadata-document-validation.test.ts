import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientFromMetadataDocument } from '../../../src/server/clients/client-metadata-document-validation.js';
import { document, type Handler, refusedFor, serveJson, useDocumentServer } from './client-metadata-document-fixture.js';

describe('validating documents (draft §4, §4.1), fetched from a loopback server', () => {
  const site = useDocumentServer();
  const { resolver } = site;

  it('accepts a valid document and returns a public client', async () => {
    site.handler = serveJson((url) => document(url, { scope: 'mcp:tools mcp:read', logo_uri: 'https://app.example/logo.png', unknown_field: 'dropped' }));
    const clientId = `${site.base}/client.json`;
    const client = await resolver({ now: () => 1_700_000_000_500 }).resolve(clientId);
    assert.equal(client.clientId, clientId);
    assert.equal(client.secretHash, null);
    assert.equal(client.tokenEndpointAuthMethod, 'none');
    assert.equal(client.source, 'dynamic');
    assert.equal(client.clientName, 'Doc Client');
    assert.deepEqual(client.redirectUris, ['http://127.0.0.1:3000/callback']);
    assert.deepEqual(client.grantTypes, ['authorization_code', 'refresh_token']);
    assert.deepEqual(client.scope, ['mcp:read', 'mcp:tools']);
    assert.equal(client.createdAt, 1_700_000_000);
    assert.equal(client.metadata.client_id, clientId);
    assert.equal(client.metadata.logo_uri, 'https://app.example/logo.png');
    assert.equal('unknown_field' in client.metadata, false, 'unknown fields are ignored');
  });

  it('defaults grant types and leaves scope open when the document names none', async () => {
    site.handler = serveJson((url) => ({ client_id: url, redirect_uris: ['https://app.example/cb'] }));
    const client = await resolver().resolve(`${site.base}/minimal.json`);
    assert.deepEqual(client.grantTypes, ['authorization_code']);
    assert.equal(client.scope, null);
    assert.equal(client.clientName, null);
  });

  const refusals: [string, Handler, string][] = [
    ['a document naming another client_id', serveJson(() => document('https://evil.example/client.json')), 'document'],
    ['a client_id that differs only by normalization', serveJson((url) => document(url.replace('/client.json', '/./client.json'))), 'document'],
    ['a document without redirect_uris', serveJson((url) => ({ client_id: url, client_name: 'x' })), 'document'],
    ['an empty redirect_uris', serveJson((url) => document(url, { redirect_uris: [] })), 'document'],
    ['a javascript: redirect URI', serveJson((url) => document(url, { redirect_uris: ['javascript:alert(1)'] })), 'document'],
    ['an http redirect URI that is not loopback', serveJson((url) => document(url, { redirect_uris: ['http://app.example/cb'] })), 'document'],
    ['a redirect URI with a fragment', serveJson((url) => document(url, { redirect_uris: ['https://app.example/cb#x'] })), 'document'],
    ['a document holding a client secret', serveJson((url) => document(url, { client_secret: 's3cret' })), 'document'],
    ['a document with client_secret_expires_at', serveJson((url) => document(url, { client_secret_expires_at: 0 })), 'document'],
    ['a private key in jwks', serveJson((url) => document(url, { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'secret' }] } })), 'document'],
    ['a shared-secret auth method', serveJson((url) => document(url, { token_endpoint_auth_method: 'client_secret_basic' })), 'document'],
    ['private_key_jwt (not supported yet)', serveJson((url) => document(url, { token_endpoint_auth_method: 'private_key_jwt' })), 'document'],
    ['an implicit grant', serveJson((url) => document(url, { grant_types: ['implicit'] })), 'document'],
    ['client_credentials', serveJson((url) => document(url, { grant_types: ['authorization_code', 'client_credentials'] })), 'document'],
    ['a token response type', serveJson((url) => document(url, { response_types: ['code', 'token'] })), 'document'],
    ['a malformed scope', serveJson((url) => document(url, { scope: 'a "b"' })), 'document'],
    ['a javascript: logo_uri', serveJson((url) => document(url, { logo_uri: 'javascript:alert(1)' })), 'document'],
    ['a JSON array', serveJson((url) => [document(url)]), 'document'],
    ['invalid JSON', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{not json'), 'json'],
  ];
  for (const [name, serve, reason] of refusals) {
    it(`refuses ${name}`, async () => {
      site.handler = serve;
      await assert.rejects(resolver().resolve(`${site.base}/client.json`), refusedFor(reason));
    });
  }
});

describe('clientFromMetadataDocument (draft §4)', () => {
  const clientId = 'https://app.example/client.json';

  it('turns a valid document into a public client', () => {
    const client = clientFromMetadataDocument(clientId, JSON.stringify(document(clientId)), 1_700_000_000);
    assert.equal(client.clientId, clientId);
    assert.equal(client.tokenEndpointAuthMethod, 'none');
    assert.equal(client.createdAt, 1_700_000_000);
  });

  it("names the field it refuses, in our words, with zod's message only in the detail", () => {
    assert.throws(
      () => clientFromMetadataDocument(clientId, JSON.stringify(document(clientId, { grant_types: ['implicit'] })), 0),
      (error: unknown) => {
        refusedFor('document')(error);
        const { error_description: description } = (error as { toJSON(): { error_description: string } }).toJSON();
        assert.ok(description.includes('grant_types'), description);
        const zodMessage = (error as { detail: string }).detail.replace('document: grant_types: ', '');
        assert.ok(zodMessage !== '' && !description.includes(zodMessage), description);
        return true;
      },
    );
    assert.throws(() => clientFromMetadataDocument(clientId, '{', 0), refusedFor('json'));
  });
});
