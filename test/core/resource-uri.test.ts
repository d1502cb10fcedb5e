import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalResource, findResource, parseResourceIndicator } from '../../src/core/resource-uri.js';

describe('parseResourceIndicator (RFC 8707 §2)', () => {
  it('returns an absolute http(s) URI unchanged', () => {
    for (const value of [
      'https://mcp.example.com/mcp',
      'https://mcp.example.com',
      'http://127.0.0.1:3000/mcp',
      'HTTPS://MCP.Example.com/mcp',
      'https://mcp.example.com/mcp?tenant=a',
    ]) {
      assert.equal(parseResourceIndicator(value), value, value);
    }
  });

  it('refuses fragments, relative references and other schemes', () => {
    for (const value of [
      'https://mcp.example.com/mcp#frag',
      'https://mcp.example.com/#',
      '/mcp',
      'mcp',
      '',
      'urn:example:mcp',
      'javascript:alert(1)',
      'ftp://mcp.example.com/',
      'file:///mcp',
    ]) {
      assert.equal(parseResourceIndicator(value), null, value);
    }
  });
});

describe('canonicalResource', () => {
  it('drops the trailing slash of an empty path', () => {
    assert.equal(canonicalResource('https://mcp.example.com/'), 'https://mcp.example.com');
    assert.equal(canonicalResource('https://mcp.example.com'), 'https://mcp.example.com');
  });

  it('keeps a non-empty path as it is, trailing slash included', () => {
    assert.equal(canonicalResource('https://mcp.example.com/mcp'), 'https://mcp.example.com/mcp');
    assert.equal(canonicalResource('https://mcp.example.com/mcp/'), 'https://mcp.example.com/mcp/');
  });

  it('normalises scheme and host case and the default port', () => {
    assert.equal(canonicalResource('HTTPS://MCP.Example.COM:443/mcp'), 'https://mcp.example.com/mcp');
    assert.equal(canonicalResource('http://127.0.0.1:80/'), 'http://127.0.0.1');
    assert.equal(canonicalResource('http://127.0.0.1:3000/'), 'http://127.0.0.1:3000');
  });

  it('keeps a query, and does not strip an empty query or fragment in place of the slash', () => {
    assert.equal(canonicalResource('https://mcp.example.com/?tenant=a'), 'https://mcp.example.com/?tenant=a');
    assert.equal(canonicalResource('https://mcp.example.com/?/'), 'https://mcp.example.com/?/');
    assert.notEqual(canonicalResource('https://mcp.example.com/?'), 'https://mcp.example.com/');
    assert.notEqual(canonicalResource('https://mcp.example.com/#'), 'https://mcp.example.com/');
  });

  it('throws on what is not a URL', () => {
    assert.throws(() => canonicalResource('not a url'), TypeError);
  });
});

describe('findResource (RFC 8707 §2)', () => {
  const configured = {
    resources: [
      { uri: 'https://mcp.example.com', name: 'root' },
      { uri: 'https://mcp.example.com/mcp', name: 'mcp' },
    ],
  };

  it('finds a configured resource by its canonical form', () => {
    assert.equal(findResource(configured, 'https://mcp.example.com/mcp')?.name, 'mcp');
    assert.equal(findResource(configured, 'https://mcp.example.com/')?.name, 'root');
    assert.equal(findResource(configured, 'HTTPS://MCP.example.com:443')?.name, 'root');
  });

  it('finds nothing for an unknown resource or one that is not a resource indicator', () => {
    for (const value of ['https://mcp.example.com/mcp/', 'https://other.example/mcp', 'https://mcp.example.com/mcp#x', '/mcp', 'not a url']) {
      assert.equal(findResource(configured, value), undefined, value);
    }
  });
});
