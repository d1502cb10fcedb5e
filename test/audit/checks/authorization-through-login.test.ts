/**
 * The authorization-endpoint probes in `--login` mode (authorization-probe.ts): a probe whose
 * first answer is the login or consent page is carried through the login and consent by the
 * built-in browser, and judged by what the server did at the end. Against the target that shows
 * its page first and checks the parameters only when its form is submitted (`checksAfterLogin`),
 * and against one that checks them first (a flaw then lets the probe reach the page); without
 * `--login`, or with a browser the auditor does not drive, the same probes stay inconclusive.
 * AZ-12 signs in to read the consent page that comes after a login page of its own (`loginFirst`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertStatus, auditTarget } from '../audit-support.js';
import type { Flaw } from '../targets/flaws.js';
import type { TargetOptions } from '../targets/target-state.js';

const PKCE_CHECKS = ['AZ-04', 'AZ-05', 'AZ-06'];
const loggedIn = { login: true, username: 'alice', password: 'any password', only: PKCE_CHECKS } as const;
const afterLogin: TargetOptions = { consentPage: true, checksAfterLogin: true };

/** Each flaw, the check it must fail, and the probe the summary names. */
const FLAWS: readonly [Flaw, string, RegExp][] = [
  ['pkce-optional', 'AZ-04', /^no code_challenge: accepted, the server redirected with a code after the login$/],
  ['plain-pkce-accepted', 'AZ-05', /^code_challenge_method=plain: accepted, the server redirected with a code after the login$/],
  ['method-defaults-to-plain', 'AZ-05', /^no code_challenge_method \(plain by default\): accepted, the server redirected with a code after the login$/],
  [
    'malformed-challenge-accepted',
    'AZ-06',
    /^a 42-character code_challenge, a 44-character code_challenge and .*: accepted, the server redirected with a code after the login$/,
  ],
];

describe('AZ-04, AZ-05, AZ-06 carried through the login (--login, the built-in browser)', () => {
  it('pass on a target that checks the parameters only after the login, on the error redirect it sends then', async () => {
    const { report } = await auditTarget([], loggedIn, afterLogin);
    for (const id of PKCE_CHECKS) assert.match(assertStatus(report, id, 'pass').summary, /error=invalid_request redirected to the client after the login/, id);
  });

  it('pass on an error page after the login, in a session signed in on a login page of its own', async () => {
    const { report } = await auditTarget([], loggedIn, { ...afterLogin, loginFirst: true, errorPageAfterLogin: true });
    for (const id of PKCE_CHECKS) assert.match(assertStatus(report, id, 'pass').summary, /an error page \(400\) after the login/, id);
  });

  for (const [flaw, id, summary] of FLAWS) {
    it(`${id} fails with ${flaw}, which the target shows after the login, and no other of the three`, async () => {
      for (const targetOptions of [afterLogin, { consentPage: true }, { ...afterLogin, loginFirst: true }]) {
        const { report, target } = await auditTarget([flaw], loggedIn, targetOptions);
        assert.match(assertStatus(report, id, 'fail').summary, summary, JSON.stringify(targetOptions));
        for (const other of PKCE_CHECKS.filter((check) => check !== id)) assertStatus(report, other, 'pass');
        const json = JSON.stringify(report);
        for (const secret of target.state.issuedSecrets) assert.ok(!json.includes(secret), `${flaw}: a code the target issued is in the report`);
      }
    });
  }

  it('leave every AZ check passing on the correct target, signed in on a login page of its own (a repeated parameter refused after it too)', async () => {
    const { report } = await auditTarget([], { ...loggedIn, only: ['AZ'] }, { ...afterLogin, loginFirst: true });
    for (const check of report.checks.filter((candidate) => candidate.id.startsWith('AZ-'))) assertStatus(report, check.id, 'pass');
    assert.match(assertStatus(report, 'AZ-10', 'pass').summary, /code_challenge twice: error=invalid_request redirected to the client after the login/);
  });

  it('stay inconclusive without --login, saying to run with it', async () => {
    const { report } = await auditTarget([], { only: PKCE_CHECKS }, afterLogin);
    for (const id of PKCE_CHECKS) assert.match(assertStatus(report, id, 'inconclusive').summary, /login or consent page.*\(run with --login to see\)/, id);
  });

  it('stay inconclusive with --login and a browser the auditor does not drive, saying which one would', async () => {
    const { report } = await auditTarget([], { login: true, browser: { kind: 'command', command: 'false' }, only: PKCE_CHECKS }, afterLogin);
    for (const id of PKCE_CHECKS) {
      const { summary } = assertStatus(report, id, 'inconclusive');
      assert.match(summary, /only the built-in browser \(--browser auto\) carries a probe through it/, id);
      assert.doesNotMatch(summary, /run with --login/, id);
    }
  });

  it('stay inconclusive, saying why, when the baseline authorization did not get through the login (no user name given)', async () => {
    const { report } = await auditTarget([], { login: true, only: ['AZ-04'] }, afterLogin);
    assert.match(
      assertStatus(report, 'AZ-04', 'inconclusive').summary,
      /not gone through: the baseline authorization did not complete with the login \(the server shows a login page: give --username .*\), so nothing after it could be attributed$/,
    );
  });
});

describe('AZ-12 in --login mode: the consent page after a login page', () => {
  const options = { login: true, username: 'alice', password: 'any password', only: ['AZ-12'] } as const;
  const loginFirst: TargetOptions = { consentPage: true, loginFirst: true };

  it('signs in and passes on the consent page that names the client (escaped), the redirect host and the scopes', async () => {
    const { report } = await auditTarget([], options, loginFirst);
    assert.match(
      assertStatus(report, 'AZ-12', 'pass').summary,
      /^the consent page after the login \(the page at http:\/\/127\.0\.0\.1:\d+\/authorize\) names the client \(its markup escaped\), the redirect host 127\.0\.0\.1:\d+ and the scopes$/,
    );
  });

  it('fails when that consent page writes the client_name unescaped', async () => {
    const { report } = await auditTarget(['client-name-unescaped'], options, loginFirst);
    assert.match(assertStatus(report, 'AZ-12', 'fail').summary, /^the consent page after the login .* is not escaped$/);
  });

  it('judges a login and consent page met at once as it did without --login', async () => {
    const correct = await auditTarget([], options, { consentPage: true });
    assert.match(assertStatus(correct.report, 'AZ-12', 'pass').summary, /names the client \(its markup escaped\)/);
    const flawed = await auditTarget(['client-name-unescaped'], options, { consentPage: true });
    assert.match(assertStatus(flawed.report, 'AZ-12', 'fail').summary, /is not escaped/);
  });

  it('stays inconclusive without --login, and says to run with it', async () => {
    const { report } = await auditTarget([], { only: ['AZ-12'] }, loginFirst);
    assert.match(
      assertStatus(report, 'AZ-12', 'inconclusive').summary,
      /is a login page that does not name the client: the consent after the login was not seen \(run with --login\)$/,
    );
  });

  it('with --login and a browser the auditor does not drive, does not say to run with --login', async () => {
    const { report } = await auditTarget([], { login: true, browser: { kind: 'command', command: 'false' }, only: ['AZ-12'] }, loginFirst);
    const { summary } = assertStatus(report, 'AZ-12', 'inconclusive');
    assert.match(summary, /only the built-in browser, --browser auto, goes through the login/);
    assert.doesNotMatch(summary, /run with --login/);
  });
});
