/**
 * The logged-in resource server checks, RS-03..09, against the audit target: correct (in its
 * legitimate forms), and with the one flaw each check must catch, every other RS check keeping its
 * verdict. RS-01 and RS-02 are in resource-unauthenticated.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditReport } from '../../../src/audit/index.js';
import { assertStatus, checkOf } from '../audit-support.js';
import { UPSTREAM_TOKEN_PREFIX } from '../targets/endpoints/mcp.js';
import { AreaCases, type FlawCase, fakeDns } from './area-cases.js';

const dns = fakeDns();
const login = { login: true, lookup: dns } as const;
const cases = new AreaCases('RS', {
  plain: { audit: login },
  // A token of the upstream identity provider, to try at the MCP URL (RS-05).
  foreignToken: { audit: { ...login, foreignToken: `${UPSTREAM_TOKEN_PREFIX}c2lnbmVkLWJ5LXRoZS11cHN0cmVhbQ` } },
  // A server with two scopes, both needed for every call (RS-08).
  twoScopes: { target: { extraScope: 'mcp:admin' }, audit: login },
  // One real tools/list (RS-09).
  realCall: { audit: { ...login, verifyCallTool: true } },
  // A stateless Streamable HTTP server: no session IDs (RS-07, RS-09).
  stateless: { target: { stateless: true }, audit: { ...login, verifyCallTool: true } },
});

const CORRECT: Readonly<Record<string, { status: string; summary: RegExp }>> = {
  'RS-03': { status: 'pass', summary: /no token for .*-sibling was issued, and the MCP URL's own \(opaque\) token works/ },
  'RS-04': { status: 'pass', summary: /token in the query string was refused \(401 invalid_request\), while the header works/ },
  'RS-05': { status: 'na', summary: /--foreign-token/ },
  'RS-06': {
    status: 'pass',
    summary: /revoked access token never used before got 401 invalid_token; a revoked access token that was in use got 401 invalid_token/,
  },
  'RS-07': { status: 'pass', summary: /session ID initialize issued and no token got 401; a stale session ID with a good token got 404/ },
  'RS-08': { status: 'na', summary: /one scope only \(mcp:tools\)/ },
  'RS-09': { status: 'na', summary: /--verify-call-tool/ },
};

const FLAWS: readonly FlawCase[] = [
  { flaw: 'query-token-accepted', check: 'RS-04', status: 'fail', severity: 'medium', summary: /query string was accepted \(200\)/ },
  { flaw: 'upstream-token-accepted', form: 'foreignToken', check: 'RS-05', status: 'fail', severity: 'high', summary: /foreign token was accepted \(200\)/ },
  {
    flaw: 'revoked-token-accepted',
    check: 'RS-06',
    status: 'fail',
    severity: 'medium',
    summary: /never used before still works \(200\): revocation is not checked/,
  },
  { flaw: 'session-without-token', check: 'RS-07', status: 'fail', severity: 'high', summary: /session ID initialize issued and no token was answered 200/ },
  { flaw: 'stale-session-error-500', check: 'RS-07', status: 'fail', severity: 'low', summary: /stale session ID with a good token was answered 500/ },
  {
    flaw: 'no-insufficient-scope',
    form: 'twoScopes',
    check: 'RS-08',
    status: 'fail',
    severity: 'low',
    summary: /without mcp:tools got 401 invalid_token, not 403/,
  },
  {
    flaw: 'tools-list-needs-unadvertised-scope',
    form: 'realCall',
    check: 'RS-09',
    status: 'fail',
    severity: 'info',
    summary: /tools\/list .* 403 insufficient_scope/,
  },
];

/** The statuses of the RS checks but `except`. */
const othersOf = (report: AuditReport, except: readonly string[]) =>
  Object.fromEntries(report.checks.filter((check) => check.area === 'RS' && !except.includes(check.id)).map((check) => [check.id, check.status] as const));

describe('RS-03..09: the resource server, logged in', () => {
  it('pass on the correct target, or na saying what they need', async () => {
    const report = await cases.baseline();
    for (const [id, { status, summary }] of Object.entries(CORRECT)) assert.match(assertStatus(report, id, status as never).summary, summary);
  });

  it('pass RS-05, RS-08 and RS-09 when they have what they need', async () => {
    assert.match(assertStatus(await cases.baseline('foreignToken'), 'RS-05', 'pass').summary, /foreign token was refused \(401 invalid_token\)/);
    assert.match(
      assertStatus(await cases.baseline('twoScopes'), 'RS-08', 'pass').summary,
      /without mcp:tools got 403 insufficient_scope naming "mcp:tools mcp:admin"/,
    );
    assert.match(
      assertStatus(await cases.baseline('realCall'), 'RS-09', 'pass').summary,
      /initialize and tools\/list worked with the token \(1 tool, on a session\)/,
    );
  });

  it('pass RS-07 and RS-09 on a stateless server, which issues no session ID', async () => {
    const report = await cases.baseline('stateless');
    assert.match(assertStatus(report, 'RS-07', 'pass').summary, /a made-up session ID \(the server issued none\) and no token got 401/);
    assert.match(assertStatus(report, 'RS-09', 'pass').summary, /worked with the token \(1 tool\)/);
  });

  for (const testCase of FLAWS) {
    it(`${testCase.check} fails on ${testCase.flaw}, and no other RS check changes`, () => cases.assertCase(testCase));
  }

  it('RS-03 fails when a token issued for a sibling resource is accepted at the MCP URL (two flaws: the sibling token must exist to be accepted)', async () => {
    const report = await cases.audit(['foreign-resource-accepted', 'audience-not-checked']);
    const check = assertStatus(report, 'RS-03', 'fail');
    assert.match(check.summary, /token issued for .*-sibling was accepted at the MCP URL \(200\)/);
    assert.equal(check.severity, 'critical');
    assert.deepEqual(othersOf(report, ['RS-03']), othersOf(await cases.baseline(), ['RS-03']));
  });

  it('RS-03 passes when the sibling token is issued but refused at the MCP URL, and cannot see an unchecked audience when no sibling token is issued', async () => {
    const issued = await cases.audit(['foreign-resource-accepted']);
    assert.match(assertStatus(issued, 'RS-03', 'pass').summary, /token was issued for .*-sibling .* and the MCP URL refuses it \(401 invalid_token\)/);
    assert.deepEqual(othersOf(issued, []), othersOf(await cases.baseline(), []));
    const unseen = await cases.audit(['audience-not-checked']);
    assert.equal(checkOf(unseen, 'RS-03').status, 'pass');
  });
});
