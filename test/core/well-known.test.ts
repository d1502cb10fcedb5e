import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authorizationServerDiscoveryUrls,
  authorizationServerMetadataWellKnownUrl,
  protectedResourceMetadataWellKnownUrl,
  protectedResourceMetadataWellKnownUrls,
} from '../../src/core/well-known.js';

const hrefs = (urls: URL[]) => urls.map((url) => url.href);

describe('protected resource metadata addresses (RFC 9728 §3.1)', () => {
  it('inserts the suffix between the host and the path, then offers the root', () => {
    assert.deepEqual(hrefs(protectedResourceMetadataWellKnownUrls(new URL('https://mcp.example.com/tenant/mcp'))), [
      'https://mcp.example.com/.well-known/oauth-protected-resource/tenant/mcp',
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
    assert.deepEqual(hrefs(protectedResourceMetadataWellKnownUrls(new URL('http://127.0.0.1:8080/mcp'))), [
      'http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp',
      'http://127.0.0.1:8080/.well-known/oauth-protected-resource',
    ]);
  });

  it('keeps the query and a trailing slash of the path', () => {
    assert.deepEqual(hrefs(protectedResourceMetadataWellKnownUrls(new URL('https://mcp.example.com/mcp/?tenant=a'))), [
      'https://mcp.example.com/.well-known/oauth-protected-resource/mcp/?tenant=a',
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
    assert.deepEqual(hrefs(protectedResourceMetadataWellKnownUrls(new URL('https://mcp.example.com/?tenant=a'))), [
      'https://mcp.example.com/.well-known/oauth-protected-resource?tenant=a',
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
  });

  it('builds the one address a challenge names, never letting a path that starts with // become a host', () => {
    assert.equal(
      protectedResourceMetadataWellKnownUrl(new URL('https://mcp.example.com/mcp')).href,
      'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
    );
    assert.equal(
      protectedResourceMetadataWellKnownUrl(new URL('https://mcp.example.com/')).href,
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    );
    const url = protectedResourceMetadataWellKnownUrl(new URL('https://mcp.example.com//evil.example/mcp'));
    assert.equal(url.host, 'mcp.example.com');
    assert.equal(url.pathname, '/.well-known/oauth-protected-resource//evil.example/mcp');
  });

  it('gives one address for a resource at the root', () => {
    for (const resource of ['https://mcp.example.com', 'https://mcp.example.com/']) {
      assert.deepEqual(
        hrefs(protectedResourceMetadataWellKnownUrls(new URL(resource))),
        ['https://mcp.example.com/.well-known/oauth-protected-resource'],
        resource,
      );
    }
  });

  it("never leaves the resource's origin", () => {
    const [pathInserted] = protectedResourceMetadataWellKnownUrls(new URL('https://mcp.example.com//evil.example/mcp'));
    assert.equal(pathInserted?.origin, 'https://mcp.example.com');
  });
});

describe('authorization server metadata addresses (RFC 8414 §3.1, OpenID Connect Discovery §4)', () => {
  it("inserts the suffix before the issuer's path, without its terminating slash", () => {
    assert.equal(
      authorizationServerMetadataWellKnownUrl(new URL('https://as.example.com/tenant1')).href,
      'https://as.example.com/.well-known/oauth-authorization-server/tenant1',
    );
    assert.equal(
      authorizationServerMetadataWellKnownUrl(new URL('https://as.example.com/tenant1/')).href,
      'https://as.example.com/.well-known/oauth-authorization-server/tenant1',
    );
    assert.equal(
      authorizationServerMetadataWellKnownUrl(new URL('https://as.example.com')).href,
      'https://as.example.com/.well-known/oauth-authorization-server',
    );
  });

  it('tries RFC 8414, then OpenID Connect inserted, then appended, for an issuer with a path', () => {
    assert.deepEqual(hrefs(authorizationServerDiscoveryUrls(new URL('https://as.example.com/tenant1'))), [
      'https://as.example.com/.well-known/oauth-authorization-server/tenant1',
      'https://as.example.com/.well-known/openid-configuration/tenant1',
      'https://as.example.com/tenant1/.well-known/openid-configuration',
    ]);
  });

  it('tries RFC 8414 then OpenID Connect for an issuer at the root', () => {
    assert.deepEqual(hrefs(authorizationServerDiscoveryUrls(new URL('https://as.example.com/'))), [
      'https://as.example.com/.well-known/oauth-authorization-server',
      'https://as.example.com/.well-known/openid-configuration',
    ]);
  });

  it("never leaves the issuer's origin, even for a path that starts with //", () => {
    for (const url of authorizationServerDiscoveryUrls(new URL('https://as.example.com//evil.example'))) {
      assert.equal(url.origin, 'https://as.example.com', url.href);
    }
  });
});
