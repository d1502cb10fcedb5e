import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverPaths } from '../../src/server/paths.js';

const paths = serverPaths(new URL('https://auth.example.com/tenant1'));
const served = (uris: string[]) => [...paths.protectedResourceMetadata(uris.map((uri) => ({ uri })))].map(([path, resource]) => [path, resource.uri]);

describe('server paths', () => {
  it("puts the RFC 8414 metadata before the issuer's path", () => {
    assert.equal(paths.authorizationServerMetadata, '/.well-known/oauth-authorization-server/tenant1');
    assert.equal(serverPaths(new URL('https://auth.example.com')).authorizationServerMetadata, '/.well-known/oauth-authorization-server');
  });

  it("serves the only resource on the issuer's origin at its path and at the root, as the gateway does", () => {
    assert.deepEqual(served(['https://auth.example.com/tenant1/mcp']), [
      ['/.well-known/oauth-protected-resource/tenant1/mcp', 'https://auth.example.com/tenant1/mcp'],
      ['/.well-known/oauth-protected-resource', 'https://auth.example.com/tenant1/mcp'],
    ]);
  });

  it('leaves the root out when two resources share the origin, unless one is at the root', () => {
    assert.deepEqual(served(['https://auth.example.com/a', 'https://auth.example.com/b']), [
      ['/.well-known/oauth-protected-resource/a', 'https://auth.example.com/a'],
      ['/.well-known/oauth-protected-resource/b', 'https://auth.example.com/b'],
    ]);
    assert.deepEqual(served(['https://auth.example.com/a', 'https://auth.example.com']), [
      ['/.well-known/oauth-protected-resource/a', 'https://auth.example.com/a'],
      ['/.well-known/oauth-protected-resource', 'https://auth.example.com'],
    ]);
  });

  it('serves nothing for a resource on another origin, and does not count it', () => {
    assert.deepEqual(served(['https://mcp.example.com/mcp', 'https://auth.example.com/mcp']), [
      ['/.well-known/oauth-protected-resource/mcp', 'https://auth.example.com/mcp'],
      ['/.well-known/oauth-protected-resource', 'https://auth.example.com/mcp'],
    ]);
  });

  it('keeps the first of two resources that differ only in their query', () => {
    assert.deepEqual(served(['https://auth.example.com/mcp?t=1', 'https://auth.example.com/mcp?t=2']), [
      ['/.well-known/oauth-protected-resource/mcp', 'https://auth.example.com/mcp?t=1'],
    ]);
  });
});
