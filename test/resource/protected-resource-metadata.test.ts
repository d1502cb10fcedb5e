import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildProtectedResourceMetadata,
  protectedResourceMetadataPaths,
  protectedResourceMetadataResponse,
  protectedResourceMetadataUrl,
} from '../../src/resource/protected-resource-metadata.js';

/** RFC 9728 protected resource metadata and where it is served. */

const metadata = buildProtectedResourceMetadata({
  resource: 'https://mcp.example.com/mcp',
  authorizationServers: ['https://auth.example.com'],
  scopesSupported: ['mcp', 'notes:write'],
  resourceName: 'Notes',
});

describe('protected resource metadata', () => {
  it('is the RFC 9728 §2 document with the header as the only bearer method', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(metadata)), {
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://auth.example.com'],
      scopes_supported: ['mcp', 'notes:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes',
    });
  });

  it('lives at the path-aware well-known URL (RFC 9728 §3.1)', () => {
    assert.equal(protectedResourceMetadataUrl('https://mcp.example.com/mcp'), 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    assert.equal(protectedResourceMetadataUrl('https://mcp.example.com/a/b'), 'https://mcp.example.com/.well-known/oauth-protected-resource/a/b');
    assert.equal(protectedResourceMetadataUrl('https://mcp.example.com/'), 'https://mcp.example.com/.well-known/oauth-protected-resource');
    assert.equal(protectedResourceMetadataUrl('http://127.0.0.1:8080/mcp'), 'http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp');
    assert.deepEqual(protectedResourceMetadataPaths('https://mcp.example.com/mcp'), [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
  });

  it('is served at both paths with CORS, and nothing else is', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = protectedResourceMetadataResponse(new Request(`https://mcp.example.com${path}`), metadata);
      assert.equal(response?.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.equal(((await response.json()) as { resource: string }).resource, 'https://mcp.example.com/mcp');
    }
    const preflight = protectedResourceMetadataResponse(
      new Request('https://mcp.example.com/.well-known/oauth-protected-resource/mcp', { method: 'OPTIONS' }),
      metadata,
    );
    assert.equal(preflight?.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /mcp-protocol-version/i);
    assert.equal(protectedResourceMetadataResponse(new Request('https://mcp.example.com/mcp'), metadata), undefined);
    assert.equal(protectedResourceMetadataResponse(new Request('https://mcp.example.com/.well-known/oauth-protected-resource/other'), metadata), undefined);
  });

  it('needs an authorization server', () => {
    assert.throws(() => buildProtectedResourceMetadata({ resource: 'https://mcp.example.com/mcp', authorizationServers: [] }), TypeError);
  });
});
