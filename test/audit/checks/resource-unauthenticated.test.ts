import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOf } from '../audit-support.js';
import { AreaCases, type FlawCase, fakeDns } from './area-cases.js';

const dns = fakeDns();
const cases = new AreaCases('RS', {
  plain: { audit: { lookup: dns } },
  // An authorization server that publishes its signing key: RS-02 also tries the key-confusion forgery.
  jwks: { target: { jwks: true }, audit: { lookup: dns } },
});

const FLAWS: readonly FlawCase[] = [
  { flaw: 'invalid-token-no-error-code', check: 'RS-01', status: 'fail', severity: 'medium', summary: /without error="invalid_token"/ },
  { flaw: 'invalid-token-forbidden', check: 'RS-01', status: 'fail', severity: 'high', summary: /answered 403, not 401/ },
  // A server that takes any token also takes forged ones: the one flaw both checks must catch.
  { flaw: 'any-bearer-accepted', check: 'RS-01', status: 'fail', summary: /accepted/, alsoChanges: { 'RS-02': 'fail' } },
  { flaw: 'alg-none-accepted', check: 'RS-02', status: 'fail', severity: 'critical', summary: /accepted: alg:none$/ },
  {
    flaw: 'hs256-public-key-accepted',
    form: 'jwks',
    check: 'RS-02',
    status: 'fail',
    summary: /accepted: HS256 keyed with the published public key target-key-1$/,
  },
  { flaw: 'embedded-jwk-trusted', check: 'RS-02', status: 'fail', summary: /accepted: signed by https:\/\/evil\.example with the key in its own header$/ },
];

describe('RS-01, RS-02: the resource server refuses bad tokens, unauthenticated', () => {
  it('passes RS-01 and RS-02 on the correct target; the other RS checks need a login', async () => {
    const report = await cases.baseline();
    assert.equal(checkOf(report, 'RS-01').status, 'pass', checkOf(report, 'RS-01').summary);
    assert.equal(checkOf(report, 'RS-02').status, 'pass', checkOf(report, 'RS-02').summary);
    assert.match(checkOf(report, 'RS-02').summary, /2 forged tokens refused .* \(no key-confusion forgery: no jwks_uri is advertised\)/);
    for (const id of ['RS-03', 'RS-04', 'RS-05', 'RS-06', 'RS-07', 'RS-08', 'RS-09']) assert.match(checkOf(report, id).summary, /--login/, id);
  });

  it('RS-02 also forges an HS256 token keyed with the published key when the server has a JWK Set', async () => {
    const report = await cases.baseline('jwks');
    assert.equal(checkOf(report, 'RS-02').status, 'pass', checkOf(report, 'RS-02').summary);
    assert.match(checkOf(report, 'RS-02').summary, /^3 forged tokens refused .*HS256 keyed with the published public key target-key-1/);
  });

  for (const testCase of FLAWS) {
    it(`${testCase.check} fails on ${testCase.flaw}, and no other RS check changes`, () => cases.assertCase(testCase));
  }

  it('shows no forged token in the report: bearer tokens are redacted in the evidence', async () => {
    const report = await cases.audit(['alg-none-accepted']);
    const requests = checkOf(report, 'RS-02').evidence.requests.filter((request) => request.requestHeaders?.['authorization'] !== undefined);
    assert.ok(requests.length >= 2);
    for (const request of requests) assert.match(request.requestHeaders?.['authorization'] ?? '', /^Bearer .{4}….{4} \(len=\d+\)$/);
  });
});
