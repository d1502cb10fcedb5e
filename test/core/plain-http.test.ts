import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAllowedEndpoint, isHttpsOrLoopbackHttp, isLoopbackHttpUrl, mayUsePlainHttp } from '../../src/core/plain-http.js';

describe('which endpoints may be plain http (OAuth 2.1 §1.5, RFC 8252 §8.3)', () => {
  const local = new URL('http://127.0.0.1:9000');
  const secure = new URL('https://login.example.com');

  it('allows http only between a loopback http issuer and a loopback endpoint', () => {
    assert.equal(mayUsePlainHttp(new URL('http://127.0.0.1:9001/token'), local), true);
    assert.equal(mayUsePlainHttp(new URL('http://localhost:9001/token'), local), true);
    assert.equal(mayUsePlainHttp(new URL('http://[::1]:9001/token'), local), true);
  });

  it('never allows http for an https issuer, loopback endpoint or not', () => {
    for (const endpoint of ['http://127.0.0.1:9001/token', 'http://localhost/token', 'http://login.example.com/token']) {
      assert.equal(mayUsePlainHttp(new URL(endpoint), secure), false, endpoint);
      assert.equal(isAllowedEndpoint(new URL(endpoint), secure), false, endpoint);
    }
  });

  it('never allows http off loopback, even for a loopback issuer', () => {
    for (const endpoint of ['http://0.0.0.0:9001/token', 'http://10.0.0.1/token', 'http://login.example.com/token', 'http://127.0.0.1.nip.io/token']) {
      assert.equal(isAllowedEndpoint(new URL(endpoint), local), false, endpoint);
    }
  });

  it('allows https for any issuer, and nothing but http and https', () => {
    assert.equal(isAllowedEndpoint(new URL('https://login.example.com/token'), local), true);
    assert.equal(isAllowedEndpoint(new URL('https://127.0.0.1/token'), secure), true);
    assert.equal(isAllowedEndpoint(new URL('ftp://127.0.0.1/token'), local), false);
    assert.equal(isLoopbackHttpUrl(new URL('ws://127.0.0.1/')), false);
  });
});

describe('isHttpsOrLoopbackHttp', () => {
  it('takes https anywhere and plain http only to this machine', () => {
    assert.equal(isHttpsOrLoopbackHttp(new URL('https://as.example.com/token')), true);
    assert.equal(isHttpsOrLoopbackHttp(new URL('http://127.0.0.1:8080/token')), true);
    assert.equal(isHttpsOrLoopbackHttp(new URL('http://localhost/token')), true);
    assert.equal(isHttpsOrLoopbackHttp(new URL('http://[::1]/token')), true);
    assert.equal(isHttpsOrLoopbackHttp(new URL('http://as.example.com/token')), false);
    assert.equal(isHttpsOrLoopbackHttp(new URL('ftp://127.0.0.1/token')), false);
  });
});
