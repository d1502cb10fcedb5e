/**
 * The logged-in token endpoint checks, TOK-03..12 and TOK-15, against the audit target: correct
 * (in its legitimate forms), and with the one flaw each check must catch, every other TOK check
 * keeping its verdict.
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type AuditReport, audit } from '../../../src/audit/index.js';
import { assertStatus, checkOf } from '../audit-support.js';
import { startAuditTarget } from '../targets/audit-target.js';
import type { Flaw } from '../targets/flaws.js';
import { AreaCases, type FlawCase } from './area-cases.js';

const cases = new AreaCases('TOK', {
  plain: { audit: { login: true } },
  // RFC 8707 lets a token endpoint ignore a resource it was not asked to authorize and issue for the authorized one.
  resourceIgnored: { target: { tokenResourceIgnored: true }, audit: { login: true } },
});

/** The checks of this file, and what each is on the correct target. */
const CORRECT: Readonly<Record<string, { status: string; summary: RegExp }>> = {
  'TOK-03': { status: 'pass', summary: /replayed code was refused with 400 invalid_grant, and the access token from the first use no longer works/ },
  'TOK-04': { status: 'pass', summary: /wrong code_verifier was refused with 400 invalid_grant/ },
  'TOK-05': { status: 'pass', summary: /burned the code: the right one was refused next/ },
  'TOK-06': { status: 'pass', summary: /without code_verifier was refused with 400 invalid_grant/ },
  'TOK-07': { status: 'na', summary: /without code_challenge was refused \(invalid_request\): no code to downgrade/ },
  'TOK-08': { status: 'pass', summary: /42-character verifier: 400 invalid_grant; a 129-character verifier: 400 invalid_grant; a verifier with/ },
  'TOK-09': { status: 'na', summary: /--slow/ },
  'TOK-10': { status: 'pass', summary: /another client redeeming the auditor's code was refused with 400 invalid_grant/ },
  'TOK-11': { status: 'pass', summary: /redirect_uri other than the authorized one \(also registered\) was refused with 400 invalid_grant/ },
  'TOK-12': { status: 'pass', summary: /-sibling\) was refused with 400 invalid_target/ },
  'TOK-15': { status: 'pass', summary: /access tokens live 1 h \(expires_in\)/ },
};

const FLAWS: readonly FlawCase[] = [
  { flaw: 'code-replay-accepted', check: 'TOK-03', status: 'fail', severity: 'critical', summary: /replayed code was accepted/ },
  { flaw: 'replay-keeps-tokens', check: 'TOK-03', status: 'warn', summary: /access token from the first use still works/ },
  // With no comparison there is no failed attempt for TOK-05 to follow.
  {
    flaw: 'verifier-not-checked',
    check: 'TOK-04',
    status: 'fail',
    severity: 'critical',
    summary: /wrong code_verifier was accepted/,
    alsoChanges: { 'TOK-05': 'na' },
  },
  { flaw: 'failed-verifier-keeps-code', check: 'TOK-05', status: 'fail', severity: 'medium', summary: /the right one was accepted/ },
  { flaw: 'verifier-optional', check: 'TOK-06', status: 'fail', severity: 'critical', summary: /without code_verifier was accepted/ },
  {
    flaw: 'verifier-format-unchecked',
    check: 'TOK-08',
    status: 'fail',
    severity: 'low',
    summary: /accepted though malformed.*42-character verifier, a 129-character verifier, a verifier with/,
  },
  {
    flaw: 'code-not-bound-to-client',
    check: 'TOK-10',
    status: 'fail',
    severity: 'critical',
    summary: /another client redeeming the auditor's code was accepted/,
  },
  {
    flaw: 'token-ignores-redirect-uri',
    check: 'TOK-11',
    status: 'fail',
    severity: 'high',
    summary: /redirect_uri other than the authorized one .* was accepted/,
  },
  {
    flaw: 'token-ignores-resource',
    check: 'TOK-12',
    status: 'fail',
    severity: 'medium',
    summary: /MCP URL refuses the access token issued .*foreign resource/,
  },
  { flaw: 'long-lived-access-token', check: 'TOK-15', status: 'fail', severity: 'medium', summary: /365 d .* public client: more than a day/ },
];

/** The statuses of the TOK checks but `except`. */
const othersOf = (report: AuditReport, except: readonly string[]) =>
  Object.fromEntries(report.checks.filter((check) => check.area === 'TOK' && !except.includes(check.id)).map((check) => [check.id, check.status] as const));

describe('TOK-03..12, TOK-15: the token endpoint, logged in', () => {
  it('pass on the correct target; TOK-07 is na (no code without a challenge) and TOK-09 needs --slow', async () => {
    const report = await cases.baseline();
    for (const [id, { status, summary }] of Object.entries(CORRECT)) assert.match(assertStatus(report, id, status as never).summary, summary);
    assert.equal(report.incomplete, false);
  });

  it('pass TOK-12 on a token endpoint that ignores a foreign resource and issues for the authorized one', async () => {
    const report = await cases.baseline('resourceIgnored');
    assert.match(assertStatus(report, 'TOK-12', 'pass').summary, /not refused, but the access token issued works at the MCP URL/);
    assert.deepEqual(othersOf(report, ['TOK-12']), othersOf(await cases.baseline(), ['TOK-12']));
  });

  for (const testCase of FLAWS) {
    it(`${testCase.check} ${testCase.status === 'warn' ? 'warns' : 'fails'} on ${testCase.flaw}, and no other TOK check changes`, () =>
      cases.assertCase(testCase));
  }

  it('TOK-07 runs when the authorization endpoint issues a code without a challenge (AZ-04), and passes when the verifier is then refused', async () => {
    const report = await cases.audit(['pkce-optional']);
    assert.match(assertStatus(report, 'TOK-07', 'pass').summary, /code issued without code_challenge was refused with 400 invalid_grant/);
    assert.deepEqual(othersOf(report, ['TOK-07']), othersOf(await cases.baseline(), ['TOK-07']));
  });

  it('TOK-07 fails when that code is redeemed with a made-up verifier (two flaws: the downgrade needs both)', async () => {
    const both = await cases.audit(['pkce-optional', 'verifier-without-challenge-accepted']);
    assert.match(assertStatus(both, 'TOK-07', 'fail').summary, /code issued without code_challenge was accepted/);
    assert.equal(checkOf(both, 'TOK-07').severity, 'high');
    assert.deepEqual(othersOf(both, ['TOK-07']), othersOf(await cases.baseline(), ['TOK-07']));
    // The token endpoint's flaw alone changes nothing: every code has a challenge.
    const alone = await cases.audit(['verifier-without-challenge-accepted']);
    assert.deepEqual(othersOf(alone, []), othersOf(await cases.baseline(), []));
  });

  it('keeps every code, verifier, token and session ID out of the report, logged in', async () => {
    const target = await startAuditTarget(['code-replay-accepted']);
    try {
      const report = await audit({ target: target.url, login: true, verifyCallTool: true, only: ['TOK', 'RT', 'RS', 'REV'] });
      const text = JSON.stringify(report);
      const leaked = target.state.issuedSecrets.filter((secret) => text.includes(secret));
      assert.deepEqual(leaked, []);
      assert.ok(target.state.issuedSecrets.length > 50, 'the audit obtained codes, tokens and sessions');
    } finally {
      await target.close();
    }
  });
});

/**
 * Runs a `--slow` audit of TOK-09 with the auditor's timers mocked, moving the target's clock
 * along with them: the waits of 61 s and 601 s pass in a moment.
 */
async function auditCodeLifetime(flaws: readonly Flaw[]): Promise<AuditReport> {
  const target = await startAuditTarget(flaws);
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let done = false;
    const running = audit({ target: target.url, login: true, slow: true, only: ['TOK-09'] }).finally(() => {
      done = true;
    });
    while (!done) {
      // Two turns: let the auditor's requests move before a second passes.
      await nextTurn();
      await nextTurn();
      mock.timers.tick(1000);
      (target.state as typeof target.state & { advance(seconds: number): void }).advance(1);
    }
    return await running;
  } finally {
    mock.timers.reset();
    await target.close();
  }
}

describe('TOK-09: authorization codes expire (--slow, with the clock moved)', () => {
  it('passes on the correct target, whose codes live 60 s: a 61 s old code is refused', async () => {
    const report = await auditCodeLifetime([]);
    assert.match(assertStatus(report, 'TOK-09', 'pass').summary, /61 s old code was refused \(400 invalid_grant\)/);
  });

  it('fails on codes that live 15 minutes: a 601 s old code is still redeemed', async () => {
    const report = await auditCodeLifetime(['long-lived-code']);
    assert.match(assertStatus(report, 'TOK-09', 'fail').summary, /601 s old code was still redeemed/);
  });
});
