import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AuditReport, CheckReport } from '../../../src/audit/index.js';
import { assertStatus, auditTarget, checkOf } from '../audit-support.js';
import type { Flaw } from '../targets/flaws.js';
import type { TargetOptions } from '../targets/target-state.js';

/** The AZ checks built so far (AZ-14..16 need a login). */
const AZ = ['AZ-01', 'AZ-02', 'AZ-03', 'AZ-04', 'AZ-05', 'AZ-06', 'AZ-07', 'AZ-08', 'AZ-09', 'AZ-10', 'AZ-11', 'AZ-12', 'AZ-13', 'AZ-17'];
/** The probes checked before the login on a correct server, and so inconclusive on one that checks them after it. */
const PARAMETER_CHECKS = ['AZ-04', 'AZ-05', 'AZ-06', 'AZ-07', 'AZ-08', 'AZ-09', 'AZ-10'];

const statuses = (report: AuditReport): Record<string, CheckReport['status']> => Object.fromEntries(AZ.map((id) => [id, checkOf(report, id).status]));

const auditAz = (flaws: readonly Flaw[] = [], targetOptions: TargetOptions = {}) => auditTarget(flaws, { only: ['AZ'] }, targetOptions);

/**
 * Asserts that `flaw` makes exactly `failing` fail (with `severity` when given) and leaves every
 * other AZ check with the verdict it has on the correct target of the same form: one flaw each.
 */
async function assertOnlyFails(
  flaws: readonly Flaw[],
  failing: readonly string[],
  correct: Record<string, CheckReport['status']>,
  options: { targetOptions?: TargetOptions; severity?: CheckReport['severity']; summary?: RegExp } = {},
): Promise<AuditReport> {
  const { report } = await auditAz(flaws, options.targetOptions);
  for (const id of failing) {
    const check = assertStatus(report, id, 'fail');
    if (options.severity !== undefined) assert.equal(check.severity, options.severity, `${id}: ${check.summary}`);
    if (options.summary !== undefined) assert.match(check.summary, options.summary);
  }
  const others = (record: Record<string, CheckReport['status']>) => Object.fromEntries(Object.entries(record).filter(([id]) => !failing.includes(id)));
  assert.deepEqual(others(statuses(report)), others(correct), `${flaws.join(', ')} changed only ${failing.join(', ')}`);
  return report;
}

describe('AZ checks: the authorization endpoint, without a login', () => {
  let correct: Record<string, CheckReport['status']>;
  let withPage: Record<string, CheckReport['status']>;

  before(async () => {
    correct = statuses((await auditAz()).report);
    withPage = statuses((await auditAz([], { consentPage: true })).report);
  });

  it('pass on the correct target, which approves at once: its pages (AZ-11, AZ-12) and federation (AZ-13) are na, saying why', async () => {
    const { report } = await auditAz();
    for (const id of AZ.filter((id) => !['AZ-11', 'AZ-12', 'AZ-13'].includes(id))) assertStatus(report, id, 'pass');
    assert.match(assertStatus(report, 'AZ-11', 'na').summary, /approves at once/);
    assert.match(assertStatus(report, 'AZ-12', 'na').summary, /approves at once/);
    assert.match(assertStatus(report, 'AZ-13', 'na').summary, /not a federating server/);
    assert.match(checkOf(report, 'AZ-02').summary, /loopback redirect on another port was accepted/);
  });

  it('pass on a target that shows a login and consent page after checking the request, reading that page for AZ-11..13', async () => {
    const { report } = await auditAz([], { consentPage: true });
    for (const id of AZ.filter((id) => id !== 'AZ-12')) assertStatus(report, id, 'pass');
    assert.match(checkOf(report, 'AZ-11').summary, /frame-ancestors 'none', no-referrer, no-store/);
    assert.match(checkOf(report, 'AZ-13').summary, /page of the server's own/);
    assert.match(assertStatus(report, 'AZ-12', 'pass').summary, /names the client \(its markup escaped\), the redirect host 127\.0\.0\.1:\d+ and the scopes/);
  });

  it('are inconclusive, never passed, where the server shows its page first and checks the parameters after the login', async () => {
    const { report } = await auditAz([], { consentPage: true, checksAfterLogin: true });
    for (const id of PARAMETER_CHECKS) assert.match(assertStatus(report, id, 'inconclusive').summary, /login or consent page/);
    for (const id of ['AZ-01', 'AZ-02', 'AZ-03', 'AZ-11', 'AZ-13', 'AZ-17']) assertStatus(report, id, 'pass');
  });

  describe('each flaw fails its check and no other', () => {
    it('AZ-01: a code sent to any redirect_uri (and so every AZ-02 variant) is critical', async () => {
      const report = await assertOnlyFails(['unregistered-redirect-accepted'], ['AZ-01', 'AZ-02'], correct, { severity: 'critical' });
      assert.match(checkOf(report, 'AZ-01').summary, /redirected a code to http:\/\/127\.0\.0\.1:\d+\/cb\//);
    });

    it('AZ-02: prefix matching is critical, and names the variants let through', async () => {
      const report = await assertOnlyFails(['redirect-prefix-match'], ['AZ-02'], correct, { severity: 'critical' });
      const { summary } = checkOf(report, 'AZ-02');
      for (const variant of ['an extra path segment', 'a dot-segment path', 'an added query', 'a trailing slash'])
        assert.ok(summary.includes(variant), summary);
      assert.ok(!summary.includes('the last character dropped'), summary);
    });

    it('AZ-02: an ignored query is high', async () => {
      await assertOnlyFails(['redirect-ignores-query'], ['AZ-02'], correct, { severity: 'high', summary: /an added query \(\?invalid=1\): .*\?invalid=1/ });
    });

    it('AZ-02: http for a registered https redirect URI, and another port on a non-loopback host, are critical', async () => {
      await assertOnlyFails(['redirect-scheme-ignored'], ['AZ-02'], correct, { severity: 'critical', summary: /https downgraded to http/ });
      await assertOnlyFails(['redirect-port-ignored'], ['AZ-02'], correct, { severity: 'critical', summary: /another port on a non-loopback host/ });
    });

    it('AZ-03: an unknown client answered with a redirect fails', async () => {
      await assertOnlyFails(['unknown-client-redirects'], ['AZ-03'], correct, { severity: 'high', summary: /error=invalid_client to http:\/\/127\.0\.0\.1/ });
    });

    it('AZ-04: PKCE optional', async () => {
      await assertOnlyFails(['pkce-optional'], ['AZ-04'], correct, { summary: /no code_challenge: accepted, the server redirected with a code/ });
    });

    it('AZ-05: plain accepted, and a missing method taken as plain', async () => {
      await assertOnlyFails(['plain-pkce-accepted'], ['AZ-05'], correct, { summary: /^code_challenge_method=plain: accepted/ });
      await assertOnlyFails(['method-defaults-to-plain'], ['AZ-05'], correct, { summary: /^no code_challenge_method \(plain by default\): accepted/ });
    });

    it('AZ-06: a malformed challenge accepted', async () => {
      await assertOnlyFails(['malformed-challenge-accepted'], ['AZ-06'], correct, { summary: /42-character/ });
    });

    it('AZ-07: an error redirect without state, or without the iss the metadata promises', async () => {
      await assertOnlyFails(['error-redirect-without-state'], ['AZ-07'], correct, { summary: /carries no state/ });
      await assertOnlyFails(['error-redirect-without-iss'], ['AZ-07'], correct, { summary: /no iss, though the metadata says/ });
    });

    it('AZ-08: a foreign resource accepted', async () => {
      await assertOnlyFails(['foreign-resource-accepted'], ['AZ-08'], correct, { summary: /^a foreign resource: accepted/ });
    });

    it('AZ-09: the implicit grant', async () => {
      await assertOnlyFails(['token-response-type-accepted'], ['AZ-09'], correct, { summary: /redirected with an access token/ });
    });

    it('AZ-10: repeated parameters resolved to their first value', async () => {
      await assertOnlyFails(['duplicate-parameters-accepted'], ['AZ-10'], correct, { summary: /code_challenge twice and redirect_uri twice: accepted/ });
    });

    it('AZ-11: a page that can be framed (medium), or cached (low)', async () => {
      const options = { targetOptions: { consentPage: true } };
      await assertOnlyFails(['consent-page-frameable'], ['AZ-11'], withPage, { ...options, severity: 'medium', summary: /framing/ });
      await assertOnlyFails(['consent-page-cacheable'], ['AZ-11'], withPage, {
        ...options,
        severity: 'low',
        summary: /Cache-Control: private, max-age=600, without no-store/,
      });
    });

    it('AZ-12: a client_name written into the page unescaped', async () => {
      await assertOnlyFails(['client-name-unescaped'], ['AZ-12'], withPage, { targetOptions: { consentPage: true }, summary: /is not escaped/ });
    });

    it('AZ-13: a fresh client sent straight to the upstream identity provider is critical; the pages are then na, as for a server that approves at once', async () => {
      const report = await assertOnlyFails(['fresh-client-sent-upstream'], ['AZ-13'], correct, {
        severity: 'critical',
        summary: /https:\/\/idp\.invalid\/authorize/,
      });
      assert.match(checkOf(report, 'AZ-11').summary, /sends the user to https:\/\/idp\.invalid/);
    });

    it('AZ-17: errors redirected before the redirect URI is checked', async () => {
      const report = await assertOnlyFails(['error-redirects-to-unregistered-uri'], ['AZ-17'], correct, { severity: 'medium' });
      assert.match(
        checkOf(report, 'AZ-17').summary,
        /error=unsupported_response_type to http:\/\/127\.0\.0\.1:\d+\/cb\/\S+, which is not registered \(an open redirector\)/,
      );
    });
  });

  describe('correct servers in other forms do not fail', () => {
    it('AZ-02: a server that holds a loopback redirect to its registered port passes, and is told RFC 8252 §7.3 wants any port', async () => {
      const { report } = await auditAz(['loopback-port-exact']);
      assert.match(assertStatus(report, 'AZ-02', 'pass').summary, /a loopback redirect on another port was refused, though RFC 8252 §7\.3/);
      assert.deepEqual(statuses(report), correct);
    });

    it('AZ-07: without iss where the metadata does not promise it, a warning', async () => {
      const { report } = await auditAz(['no-iss-parameter-support', 'error-redirect-without-iss']);
      assert.match(assertStatus(report, 'AZ-07', 'warn').summary, /echoes state but carries no iss/);
    });
  });

  it('never reports a code or token it was given, nor puts one in a summary', async () => {
    for (const flaws of [['unregistered-redirect-accepted'], ['token-response-type-accepted'], ['redirect-prefix-match']] as const) {
      const { report, target } = await auditAz(flaws);
      const json = JSON.stringify(report);
      assert.ok(target.state.issuedSecrets.length > 0);
      for (const secret of target.state.issuedSecrets) assert.ok(!json.includes(secret), `${flaws[0]}: a secret the target issued is in the report`);
      for (const check of report.checks) assert.doesNotMatch(check.summary, /code=|access_token=/, check.id);
    }
  });
});
