import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { urlHazard } from '../../../src/audit/checks/as-metadata/asm-07-endpoint-characters.js';
import { jwkSetProblem } from '../../../src/audit/checks/as-metadata/asm-08-endpoints-and-jwks.js';
import { checkOf } from '../audit-support.js';
import { AreaCases, type FlawCase, fakeDns } from './area-cases.js';

const dns = fakeDns();
const cases = new AreaCases('ASM', {
  plain: { audit: { lookup: dns } },
  // Correct servers in other forms: OpenID Connect Discovery only; a JWK Set; a query of its own on the authorization endpoint; a client registered beforehand.
  openid: { target: { openIdConfigurationOnly: true }, audit: { lookup: dns } },
  jwks: { target: { jwks: true }, audit: { lookup: dns } },
  query: { target: { authorizationEndpointQuery: 'tenant=a&region=eu' }, audit: { lookup: dns } },
  preRegistered: { audit: { lookup: dns, clientId: 'registered-beforehand', redirectUri: 'http://127.0.0.1/callback' } },
});

const WITHOUT_METADATA = Object.fromEntries(
  ['ASM-02', 'ASM-03', 'ASM-04', 'ASM-05', 'ASM-06', 'ASM-07', 'ASM-08', 'ASM-09', 'ASM-10'].map((id) => [id, 'na' as const]),
);

const FLAWS: readonly FlawCase[] = [
  { flaw: 'no-as-metadata', check: 'ASM-01', status: 'fail', summary: /no metadata/, alsoChanges: WITHOUT_METADATA },
  { flaw: 'as-metadata-issuer-mismatch', check: 'ASM-02', status: 'fail', summary: /must refuse/ },
  { flaw: 'pkce-methods-absent', check: 'ASM-03', status: 'fail', severity: 'high', summary: /absent/ },
  { flaw: 'pkce-plain-listed', check: 'ASM-03', status: 'fail', severity: 'medium', summary: /plain/ },
  { flaw: 'implicit-advertised', check: 'ASM-04', status: 'fail', summary: /response_types_supported lists "token"/ },
  { flaw: 'password-grant-advertised', check: 'ASM-04', status: 'fail', summary: /grant_types_supported lists password/ },
  { flaw: 'no-iss-parameter-support', check: 'ASM-05', status: 'fail' },
  {
    flaw: 'issuer-follows-forwarded-host',
    check: 'ASM-06',
    status: 'fail',
    summary: /X-Forwarded-Host\/X-Forwarded-Proto evil\.example, .* became "https:\/\/evil\.example/,
  },
  { flaw: 'issuer-follows-host', check: 'ASM-06', status: 'fail', summary: /with Host evil\.example/ },
  {
    flaw: 'endpoint-javascript-scheme',
    check: 'ASM-07',
    status: 'fail',
    severity: 'critical',
    summary: /authorization_endpoint .* has the scheme javascript:/,
  },
  { flaw: 'endpoint-shell-payload', check: 'ASM-07', status: 'fail', severity: 'high', summary: /shell command substitution/ },
  { flaw: 'endpoint-off-host', check: 'ASM-08', status: 'warn', summary: /revocation_endpoint "https:\/\/revoke\.test\/revoke"/ },
  { flaw: 'jwks-not-a-jwk-set', form: 'jwks', check: 'ASM-08', status: 'fail', summary: /no keys array/ },
  { flaw: 'jwks-private-key', form: 'jwks', check: 'ASM-08', status: 'fail', summary: /private or secret key material \(d, p, q, dp, dq, qi\)/ },
  { flaw: 'no-registration-options', check: 'ASM-09', status: 'fail' },
  // Not a finding when the user gave a client registered beforehand.
  { flaw: 'no-registration-options', form: 'preRegistered', check: 'ASM-09', status: 'pass', summary: /pre-registered client/ },
  { flaw: 'no-revocation-endpoint', check: 'ASM-10', status: 'fail' },
];

describe('ASM-01..10: authorization server metadata, unauthenticated', () => {
  it('passes every ASM check on the correct target', async () => {
    const statuses = cases.statuses(await cases.baseline());
    assert.deepEqual(new Set(Object.values(statuses)), new Set(['pass']), JSON.stringify(statuses));
  });

  for (const [form, id, summary] of [
    ['openid', 'ASM-01', /openid-configuration \(OpenID Connect Discovery, after 1 other address\)/],
    ['jwks', 'ASM-08', /jwks_uri serves a JWK Set of public keys/],
    ['query', 'ASM-07', /each an absolute http\(s\) URL/],
  ] as const) {
    it(`passes every ASM check on a correct target in the "${form}" form (${id})`, async () => {
      const report = await cases.baseline(form);
      assert.match(checkOf(report, id).summary, summary);
      const statuses = cases.statuses(report);
      assert.deepEqual(new Set(Object.values(statuses)), new Set(['pass']), JSON.stringify(statuses));
    });
  }

  for (const testCase of FLAWS) {
    it(`${testCase.check} ${testCase.status}${testCase.status === 'pass' ? 'es' : 's'} on ${testCase.flaw}${testCase.form === undefined ? '' : ` (${testCase.form})`}, and no other ASM check changes`, () =>
      cases.assertCase(testCase));
  }

  it('ASM-07: another scheme is critical; characters no URL holds, a quote, $( or a bare % are high; & in a query is nothing', () => {
    for (const value of ['javascript:alert(1)', 'file:///etc/passwd', 'a:$(touch /tmp/x)', 'data:text/html,<script>']) {
      assert.equal(urlHazard(value)?.severity, 'critical', value);
    }
    for (const value of [
      'https://as.example/authorize?x=`id`',
      'https://as.example/authorize?x=a b',
      'https://as.example/authorize?x="a"',
      "https://as.example/authorize?x='a'",
      'https://as.example/authorize?x=$(id)',
      'https://as.example/authorize?x=%COMSPEC%',
      'https://as.example/authorize?x=|calc',
      'https://as.example/authorize\n',
      '/authorize',
    ]) {
      assert.equal(urlHazard(value)?.severity, 'high', value);
    }
    for (const value of [
      'https://as.example/authorize?tenant=a&region=eu',
      'https://as.example/a%2Fb%3D',
      'http://127.0.0.1:8080/authorize',
      'https://as.example/$price(1)',
    ]) {
      assert.equal(urlHazard(value), undefined, value);
    }
  });

  it('ASM-08: a JWK Set is an object with keys, each a public key', () => {
    assert.equal(
      jwkSetProblem({
        keys: [{ kty: 'EC', crv: 'P-256', x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4', y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM' }],
      }),
      undefined,
    );
    assert.match(jwkSetProblem([]) ?? '', /not a JSON object/);
    assert.match(jwkSetProblem({ keys: [] }) ?? '', /no keys/);
    assert.match(jwkSetProblem({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }) ?? '', /secret key material \(k\)/);
    assert.match(jwkSetProblem({ keys: [{ kty: 'RSA', n: 'AQAB' }] }) ?? '', /not a valid public key/);
  });
});
