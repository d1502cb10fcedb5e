/**
 * Which redirect URI a registration is kept under, and what DCR sends: a loopback IP literal over
 * http without its port (RFC 8252 §7.3), everything else exactly as given.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findClientCredentials } from '../../src/client/registration.js';
import { registrationRedirectKey, registrationRedirectUris } from '../../src/client/registration-redirect.js';
import { sealClientSecret } from '../../src/client/sealed-values.js';
import { type ClientStoreHandle, clientKeyring, openClientStore } from '../support/mcp-client.js';

describe('registrationRedirectKey', () => {
  it('drops the port of a loopback IP literal over http, keeping path and query', () => {
    assert.equal(registrationRedirectKey('http://127.0.0.1:53121/callback'), 'http://127.0.0.1/callback');
    assert.equal(registrationRedirectKey('http://127.0.0.1:1/callback'), 'http://127.0.0.1/callback');
    assert.equal(registrationRedirectKey('http://[::1]:8080/cb?x=1'), 'http://[::1]/cb?x=1');
    assert.equal(registrationRedirectKey('http://127.0.0.1/callback'), 'http://127.0.0.1/callback', 'already without a port');
    assert.deepEqual(registrationRedirectUris('http://127.0.0.1:53121/callback'), ['http://127.0.0.1:53121/callback', 'http://127.0.0.1/callback']);
    assert.deepEqual(registrationRedirectUris('http://127.0.0.1/callback'), ['http://127.0.0.1/callback']);
  });

  it('keys a non-loopback redirect URI exactly', () => {
    for (const uri of ['https://app.example/cb', 'https://app.example:8443/cb', 'https://127.0.0.1:8443/cb', 'com.example.app:/cb']) {
      assert.equal(registrationRedirectKey(uri), uri);
      assert.deepEqual(registrationRedirectUris(uri), [uri]);
    }
  });

  it('keys http://localhost exactly: a host name, not an IP literal (RFC 8252 §8.3)', () => {
    for (const uri of ['http://localhost:53121/callback', 'http://LOCALHOST:53121/callback', 'http://localhost/callback']) {
      assert.equal(registrationRedirectKey(uri), uri);
      assert.deepEqual(registrationRedirectUris(uri), [uri]);
    }
  });

  it('keys exactly what is not in canonical form or carries userinfo or a fragment', () => {
    for (const uri of [
      'http://127.0.0.1:53121/a/../callback',
      'http://127.0.0.1:53121',
      'http://u:p@127.0.0.1:53121/cb',
      'http://127.0.0.1:53121/cb#x',
      'not a url',
    ]) {
      assert.equal(registrationRedirectKey(uri), uri);
    }
  });
});

describe('findClientCredentials keys', () => {
  let client: ClientStoreHandle;
  const issuer = 'https://as.example';
  before(async () => {
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
  });

  async function save(redirectUri: string, clientId: string, secret?: string): Promise<void> {
    await client.store.mcpClient.saveRegistration({
      issuer,
      redirectUri,
      clientId,
      clientSecretSealed: secret === undefined ? null : sealClientSecret(clientKeyring(), issuer, redirectUri, secret),
      tokenEndpointAuthMethod: secret === undefined ? 'none' : 'client_secret_basic',
      method: 'dcr',
      expiresAt: null,
      createdAt: 0,
    });
  }
  const find = (redirectUri: string) => findClientCredentials({ store: client.store.mcpClient, keyring: clientKeyring() }, issuer, redirectUri, 1);

  it('finds a loopback IP registration from any port, its sealed secret opening under the port-free key', async () => {
    await save('http://127.0.0.1/callback', 'loopback-client', 'the-secret');
    for (const uri of ['http://127.0.0.1:50001/callback', 'http://127.0.0.1:50002/callback', 'http://127.0.0.1/callback']) {
      const found = await find(uri);
      assert.equal(found?.clientId, 'loopback-client', uri);
      assert.equal(found?.clientSecret, 'the-secret', uri);
    }
    assert.equal(await find('http://127.0.0.1:50001/other'), undefined, 'the path still counts');
    assert.equal(await find('http://127.0.0.2:50001/callback'), undefined, 'the host still counts');
  });

  it('finds https and localhost registrations only by the exact URI', async () => {
    await save('https://app.example/cb', 'web-client');
    await save('http://localhost:50003/callback', 'localhost-client');
    assert.equal((await find('https://app.example/cb'))?.clientId, 'web-client');
    assert.equal(await find('https://app.example:443/cb'), undefined);
    assert.equal(await find('https://app.example/cb/'), undefined);
    assert.equal((await find('http://localhost:50003/callback'))?.clientId, 'localhost-client');
    assert.equal(await find('http://localhost:50004/callback'), undefined);
    assert.equal(await find('http://localhost/callback'), undefined);
  });
});
