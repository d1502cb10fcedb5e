/**
 * MCP Authorization (2026-07-28) "Client Registration": a client MUST send an appropriate
 * `application_type` at Dynamic Client Registration. Unless the app sets one, it follows from the
 * redirect URI: a loopback address or a private-use scheme is a native app, https a web app. What
 * the client sends at registration is in test/client/registration.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applicationTypeForRedirectUri } from '../../src/core/application-type.js';

describe('applicationTypeForRedirectUri', () => {
  it('native for loopback and private-use schemes, web for https elsewhere', () => {
    assert.equal(applicationTypeForRedirectUri('http://127.0.0.1:53121/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('http://[::1]/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('http://localhost:3000/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('com.example.app:/oauth'), 'native');
    assert.equal(applicationTypeForRedirectUri('https://localhost/callback'), 'native');
    assert.equal(applicationTypeForRedirectUri('https://app.example.com/oauth/callback'), 'web');
  });
});
