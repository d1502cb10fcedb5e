import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRedirectUri, redirectUriMatches } from '../../src/core/redirect-uri.js';

describe('checkRedirectUri (registration)', () => {
  it('accepts https, loopback http and reverse-domain private-use schemes', () => {
    for (const uri of [
      'https://app.example.com/callback',
      'https://app.example.com:8443/cb?x=1',
      'http://127.0.0.1:53682/cb',
      'http://127.0.0.1/cb',
      'http://localhost/cb',
      'http://localhost:3000/oauth/callback',
      'http://[::1]:8080/cb',
      'com.example.app:/cb',
      'com.example.app:/oauth2redirect',
    ]) {
      assert.equal(checkRedirectUri(uri), null, uri);
    }
  });

  it('refuses dangerous schemes', () => {
    for (const uri of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'vbscript:msgbox',
      'about:blank',
      'blob:https://example.com/uuid',
    ]) {
      assert.equal(checkRedirectUri(uri), 'forbidden scheme', uri);
    }
  });

  it('refuses fragments, even empty ones (RFC 6749 §3.1.2)', () => {
    for (const uri of ['https://app.example.com/cb#frag', 'https://app.example.com/cb#', 'http://127.0.0.1/cb#x', 'com.example.app:/cb#x']) {
      assert.equal(checkRedirectUri(uri), 'has a fragment', uri);
    }
  });

  it('refuses userinfo', () => {
    for (const uri of [
      'https://user@app.example.com/cb',
      'https://user:pass@app.example.com/cb',
      'https://evil.example@app.example.com/cb',
      'http://user@127.0.0.1/cb',
    ]) {
      assert.equal(checkRedirectUri(uri), 'has userinfo', uri);
    }
  });

  it('refuses http on non-loopback hosts, including look-alikes', () => {
    for (const uri of [
      'http://app.example.com/cb',
      'HTTP://app.example.com/cb',
      'http://10.0.0.1/cb',
      'http://localhost.example.com/cb',
      'http://127.0.0.1.nip.io/cb',
      'http://0.0.0.0/cb',
    ]) {
      assert.equal(checkRedirectUri(uri), 'http only on loopback', uri);
    }
  });

  it('refuses private-use schemes that are not reverse-domain (no period)', () => {
    for (const uri of ['myapp:/cb', 'myapp://cb', 'cursor://anysphere.cursor-retrieval/oauth/callback']) {
      assert.equal(checkRedirectUri(uri), 'private-use scheme must be reverse-domain', uri);
    }
  });

  it('refuses what is not a URL', () => {
    for (const uri of ['', '/relative/cb', 'not a url', 'https://']) {
      assert.equal(checkRedirectUri(uri), 'not a URL', uri);
    }
  });
});

describe('redirectUriMatches (authorization request)', () => {
  it('matches an identical string', () => {
    for (const uri of ['https://app.example.com/cb?x=1', 'http://127.0.0.1:8080/cb', 'com.example.app:/cb']) {
      assert.equal(redirectUriMatches(uri, uri), true, uri);
    }
  });

  it('lets the port of a loopback http redirect differ (RFC 8252 §7.3)', () => {
    const pairs: [presented: string, registered: string][] = [
      ['http://127.0.0.1:53124/cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:9090/cb', 'http://127.0.0.1:8080/cb'],
      ['http://127.0.0.1/cb', 'http://127.0.0.1:8080/cb'],
      ['http://localhost:49152/oauth/callback?x=1', 'http://localhost/oauth/callback?x=1'],
      ['http://[::1]:8080/cb', 'http://[::1]/cb'],
    ];
    for (const [presented, registered] of pairs) assert.equal(redirectUriMatches(presented, registered), true, `${presented} vs ${registered}`);
  });

  it('requires path, query and host to match exactly on loopback', () => {
    const pairs: [presented: string, registered: string][] = [
      ['http://127.0.0.1:8080/cb2', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/CB', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/cb/', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/cb?x=2', 'http://127.0.0.1/cb?x=1'],
      ['http://127.0.0.1:8080/cb?x=1', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/cb', 'http://127.0.0.1/cb?x=1'],
      ['http://localhost:8080/cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.2:8080/cb', 'http://127.0.0.1/cb'],
      ['http://[::1]:8080/cb', 'http://127.0.0.1/cb'],
      ['https://127.0.0.1:8080/cb', 'http://127.0.0.1/cb'],
    ];
    for (const [presented, registered] of pairs) assert.equal(redirectUriMatches(presented, registered), false, `${presented} vs ${registered}`);
  });

  it('refuses a loopback redirect that adds a fragment or userinfo', () => {
    assert.equal(redirectUriMatches('http://127.0.0.1:8080/cb#x', 'http://127.0.0.1/cb'), false);
    assert.equal(redirectUriMatches('http://user@127.0.0.1:8080/cb', 'http://127.0.0.1/cb'), false);
    assert.equal(redirectUriMatches('http://evil.example@127.0.0.1:8080/cb', 'http://127.0.0.1/cb'), false);
  });

  it('has no port exception for https or for non-loopback http', () => {
    assert.equal(redirectUriMatches('https://app.example.com:8443/cb', 'https://app.example.com/cb'), false);
    assert.equal(redirectUriMatches('https://127.0.0.1:8443/cb', 'https://127.0.0.1/cb'), false);
    assert.equal(redirectUriMatches('https://localhost:8443/cb', 'https://localhost/cb'), false);
    assert.equal(redirectUriMatches('http://app.example.com:8080/cb', 'http://app.example.com/cb'), false);
  });

  it('compares everything else as exact strings', () => {
    assert.equal(redirectUriMatches('https://app.example.com/cb/', 'https://app.example.com/cb'), false);
    assert.equal(redirectUriMatches('https://APP.example.com/cb', 'https://app.example.com/cb'), false);
    assert.equal(redirectUriMatches('https://app.example.com:443/cb', 'https://app.example.com/cb'), false);
    assert.equal(redirectUriMatches('https://app.example.com/a/../cb', 'https://app.example.com/cb'), false);
    assert.equal(redirectUriMatches('com.example.app:/cb2', 'com.example.app:/cb'), false);
    assert.equal(redirectUriMatches('com.example.other:/cb', 'com.example.app:/cb'), false);
  });

  it('does not let non-canonical spellings match through the loopback exception', () => {
    const pairs: [presented: string, registered: string][] = [
      ['http://LOCALHOST:8080/cb', 'http://localhost/cb'],
      ['HTTP://127.0.0.1:8080/cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/x/../cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/./cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/%63b', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/c%62', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/~cb', 'http://127.0.0.1/%7Ecb'],
      ['http://127.0.0.1:8080/%7Ecb', 'http://127.0.0.1/~cb'],
      ['http://127.0.0.1:8080/c b', 'http://127.0.0.1/c%20b'],
      ['http://127.0.0.1:8080/c\tb', 'http://127.0.0.1/cb'],
      ['http://127.1:8080/cb', 'http://127.0.0.1/cb'],
      ['http://[0:0:0:0:0:0:0:1]:8080/cb', 'http://[::1]/cb'],
      ['http://127.0.0.1:08080/cb', 'http://127.0.0.1/cb'],
      // A non-canonical registered value gets no exception either.
      ['http://127.0.0.1:8080/cb', 'http://127.0.0.1/x/../cb'],
      ['http://localhost:8080/cb', 'http://LOCALHOST/cb'],
    ];
    for (const [presented, registered] of pairs) assert.equal(redirectUriMatches(presented, registered), false, `${presented} vs ${registered}`);
  });

  it('accepts the default port like any other on loopback (RFC 8252 §7.3: "any port")', () => {
    // `new URL()` drops `:80`, so a parsed comparison saw a non-canonical string and refused it.
    const pairs: [presented: string, registered: string][] = [
      ['http://127.0.0.1:80/cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1/cb', 'http://127.0.0.1:80/cb'],
      ['http://127.0.0.1:8080/cb', 'http://127.0.0.1:80/cb'],
      ['http://[::1]:80/cb', 'http://[::1]/cb'],
      ['http://localhost:80/cb?x=1', 'http://localhost/cb?x=1'],
      ['http://127.0.0.1:80', 'http://127.0.0.1'],
    ];
    for (const [presented, registered] of pairs) assert.equal(redirectUriMatches(presented, registered), true, `${presented} vs ${registered}`);
  });

  it('treats an empty query as a different string from no query (OAuth 2.1 §2.3.1 exact match)', () => {
    // `new URL()` gives `search === ''` for both, so a parsed comparison accepted `/cb?` as `/cb`.
    const pairs: [presented: string, registered: string][] = [
      ['http://127.0.0.1/cb?', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/cb?', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:80/cb?', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:8080/cb', 'http://127.0.0.1/cb?'],
      ['http://[::1]:8080/cb?', 'http://[::1]/cb'],
      ['https://app.example.com/cb?', 'https://app.example.com/cb'],
      // No path and a bare authority are different strings too.
      ['http://127.0.0.1:8080/', 'http://127.0.0.1'],
    ];
    for (const [presented, registered] of pairs) assert.equal(redirectUriMatches(presented, registered), false, `${presented} vs ${registered}`);
    assert.equal(
      redirectUriMatches('http://127.0.0.1:8080/cb?', 'http://127.0.0.1/cb?'),
      true,
      'an empty query registered as such still gets the port exception',
    );
  });

  it('refuses a port that is not one (RFC 3986 §3.2.3, RFC 6335: 1-65535)', () => {
    for (const presented of [
      'http://127.0.0.1:0/cb',
      'http://127.0.0.1:65536/cb',
      'http://127.0.0.1:99999/cb',
      'http://127.0.0.1:/cb',
      'http://127.0.0.1:8080:80/cb',
      'http://127.0.0.1:+80/cb',
    ]) {
      assert.equal(redirectUriMatches(presented, 'http://127.0.0.1/cb'), false, presented);
    }
    assert.equal(redirectUriMatches('http://127.0.0.1:65535/cb', 'http://127.0.0.1/cb'), true, 'the highest port (the control)');
  });

  it('refuses strings that are not URLs unless identical', () => {
    assert.equal(redirectUriMatches('not a url', 'http://127.0.0.1/cb'), false);
    assert.equal(redirectUriMatches('http://127.0.0.1:8080/cb', 'not a url'), false);
  });
});
