/**
 * AZ-15 and AZ-16, which read what the logged-in baseline authorization went through: against the
 * target showing its login and consent page (`consentPage`), correct and with one flaw each, and
 * na against a target that approves at once (there is no consent to reuse, no form to post).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertStatus, auditTarget } from '../audit-support.js';

const loggedIn = { login: true, username: 'alice', password: 'any password', only: ['TOK-01', 'AZ-15', 'AZ-16'] } as const;

describe('AZ-15 (consent per client) and AZ-16 (no 307 after the login POST)', () => {
  it('pass on a target that asks every client for consent and answers its form POST with 303', async () => {
    const { report } = await auditTarget([], loggedIn, { consentPage: true });
    assertStatus(report, 'TOK-01', 'pass');
    assert.match(assertStatus(report, 'AZ-15', 'pass').summary, /consent page of its own/);
    assert.match(assertStatus(report, 'AZ-16', 'pass').summary, /answered 303/);
  });

  it('AZ-15 fails when a new client rides the consent the user gave another', async () => {
    const { report } = await auditTarget(['consent-shared-across-clients'], loggedIn, { consentPage: true });
    assert.match(assertStatus(report, 'AZ-15', 'fail').summary, /got a code at once/);
    assertStatus(report, 'AZ-16', 'pass');
  });

  it('AZ-16 fails when the credential POST is answered 307', async () => {
    const { report } = await auditTarget(['login-post-307'], loggedIn, { consentPage: true });
    assert.match(assertStatus(report, 'AZ-16', 'fail').summary, /answered 307/);
    assertStatus(report, 'AZ-15', 'pass');
  });

  it('are na against a server that approves at once, saying why', async () => {
    const { report } = await auditTarget([], loggedIn);
    assert.match(assertStatus(report, 'AZ-15', 'na').summary, /never asked for consent/);
    assert.match(assertStatus(report, 'AZ-16', 'na').summary, /posted no form/);
  });
});

describe('AZ-14 (the consent decision cannot be forged)', () => {
  const withSession = { consentPage: true, sessionLogin: true } as const;
  const options = { login: true, username: 'alice', password: 'any password', only: ['TOK-01', 'AZ-14'] } as const;

  it('passes on a target whose consent form, in a signed-in session, carries a CSRF token bound to the session', async () => {
    const { report } = await auditTarget([], options, withSession);
    assertStatus(report, 'TOK-01', 'pass');
    assert.match(assertStatus(report, 'AZ-14', 'pass').summary, /without its CSRF token \(csrf_token\), were refused/);
  });

  it('fails when the consent POST is taken on the session cookie alone', async () => {
    const { report } = await auditTarget(['consent-without-csrf'], options, withSession);
    assert.match(assertStatus(report, 'AZ-14', 'fail').summary, /accepted without its CSRF token/);
  });

  it('passes when every consent form asks for the password, and is na without any consent', async () => {
    const asking = await auditTarget([], options, { consentPage: true });
    assert.match(assertStatus(asking.report, 'AZ-14', 'pass').summary, /asks for the password/);
    const atOnce = await auditTarget([], options);
    assert.match(assertStatus(atOnce.report, 'AZ-14', 'na').summary, /never asked for consent/);
  });
});
