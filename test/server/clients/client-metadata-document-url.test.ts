import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClientMetadataDocumentUrl } from '../../../src/server/clients/client-metadata-document-url.js';

describe('isClientMetadataDocumentUrl (draft §3)', () => {
  it('accepts https URLs with a path, a port or a query', () => {
    for (const url of ['https://app.example/client.json', 'https://app.example:8443/oauth/client', 'https://app.example/c?v=2', 'https://[2606:4700::1]/c']) {
      assert.equal(isClientMetadataDocumentUrl(url), true, url);
    }
  });

  it('refuses everything else', () => {
    for (const url of [
      'https://app.example/',
      'https://app.example',
      'https://app.example?x=1',
      'http://app.example/client.json',
      'https://user:pass@app.example/c',
      'https://user@app.example/c',
      'https://app.example/c#frag',
      'https://app.example/c#',
      'https://app.example/a/../c',
      'https://app.example/./c',
      'https://app.example/a/%2e%2e/c',
      'https://app.example/a/%2E/c',
      'https://app.example/a/..',
      'https://app.example\\..\\c',
      'https://app.example/a b',
      'https://app.example/%zz',
      'https:///c',
      'ftp://app.example/c',
      'javascript:alert(1)//x',
      'not a url',
      'pc_abc123',
      `https://app.example/${'a'.repeat(2000)}`,
    ]) {
      assert.equal(isClientMetadataDocumentUrl(url), false, url);
    }
  });

  it('with the dangerous switch, also accepts http on loopback hosts only', () => {
    for (const url of ['http://127.0.0.1:8080/c.json', 'http://localhost/c.json', 'http://[::1]:9/c']) {
      assert.equal(isClientMetadataDocumentUrl(url, true), true, url);
      assert.equal(isClientMetadataDocumentUrl(url), false, url);
    }
    assert.equal(isClientMetadataDocumentUrl('http://app.example/c.json', true), false);
    assert.equal(isClientMetadataDocumentUrl('http://10.0.0.1/c.json', true), false);
  });
});
