import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DISC_08 } from '../../../src/audit/checks/discovery/disc-08-local-origin-host.js';
import { hstsProblem, plainHttpEndpoints } from '../../../src/audit/checks/discovery/disc-09-secure-transport.js';
import type { Probe } from '../../../src/audit/probe.js';
import type { AuditSettings } from '../../../src/audit/settings.js';
import { checkOf } from '../audit-support.js';
import { INTERNAL_KEYS_HOST } from '../targets/endpoints/metadata.js';
import { AreaCases, type FlawCase, fakeDns } from './area-cases.js';

const dns = fakeDns();
const cases = new AreaCases('DISC', {
  plain: { audit: { lookup: dns } },
  // A local server whose own web app, on another origin, calls it from the browser.
  web: { target: { webOrigins: ['https://audit.example'] }, audit: { lookup: dns } },
  internalKeys: { audit: { lookup: fakeDns({ [INTERNAL_KEYS_HOST]: '10.20.30.40' }) } },
  publicKeys: { audit: { lookup: fakeDns({ [INTERNAL_KEYS_HOST]: '93.184.215.14' }) } },
});

/** What a flaw blocks when no protected-resource metadata can be found: every check that reads it. */
const WITHOUT_METADATA = { 'DISC-04': 'na', 'DISC-05': 'na', 'DISC-06': 'na', 'DISC-09': 'na', 'DISC-10': 'na' } as const;

const FLAWS: readonly FlawCase[] = [
  { flaw: 'challenge-missing-resource-metadata', check: 'DISC-02', status: 'fail', severity: 'medium', summary: /no resource_metadata/ },
  { flaw: 'challenge-error-without-token', check: 'DISC-02', status: 'fail', summary: /error="invalid_request"/ },
  { flaw: 'no-protected-resource-metadata', check: 'DISC-03', status: 'fail', alsoChanges: WITHOUT_METADATA },
  { flaw: 'prm-resource-mismatch', check: 'DISC-04', status: 'fail', summary: /\/other.*not the MCP URL/ },
  { flaw: 'prm-resource-trailing-slash', check: 'DISC-04', status: 'warn', summary: /trailing slash/ },
  { flaw: 'prm-no-authorization-servers', check: 'DISC-05', status: 'fail', summary: /empty/ },
  { flaw: 'prm-http-authorization-server', check: 'DISC-05', status: 'fail', summary: /http:\/\/auth\.test.*plain http off loopback/ },
  { flaw: 'prm-offline-access', check: 'DISC-06', status: 'fail', summary: /scopes_supported/ },
  { flaw: 'challenge-offline-access', check: 'DISC-06', status: 'fail', summary: /challenge's scope/ },
  { flaw: 'cors-hides-www-authenticate', form: 'web', check: 'DISC-07', status: 'fail', summary: /Access-Control-Expose-Headers/ },
  { flaw: 'origin-not-validated', check: 'DISC-08', status: 'fail', severity: 'medium', summary: /Origin https:\/\/evil\.example got the same 401/ },
  { flaw: 'host-not-validated', check: 'DISC-08', status: 'fail', severity: 'medium', summary: /Host evil\.example:\d+ got the same 401/ },
  { flaw: 'prm-jwks-uri-plain-http', check: 'DISC-09', status: 'fail', summary: /jwks_uri "http:\/\/keys\.test/ },
  { flaw: 'token-endpoint-plain-http', check: 'DISC-09', status: 'fail', summary: /token_endpoint "http:\/\/auth\.test/ },
  { flaw: 'prm-jwks-uri-link-local', check: 'DISC-10', status: 'fail', summary: /jwks_uri \(169\.254\.169\.254\) resolves to a link-local address/ },
  {
    flaw: 'prm-jwks-uri-internal-name',
    form: 'internalKeys',
    check: 'DISC-10',
    status: 'fail',
    summary: /keys\.internal\.test\) resolves to a private address/,
  },
];

describe('DISC-04..10: resource discovery, unauthenticated', () => {
  it('passes every DISC check on the correct target, DISC-07 na: it refuses cross-origin requests', async () => {
    const report = await cases.baseline();
    const statuses = cases.statuses(report);
    assert.equal(statuses['DISC-07'], 'na', checkOf(report, 'DISC-07').summary);
    assert.match(checkOf(report, 'DISC-07').summary, /refuses cross-origin requests/);
    delete statuses['DISC-07'];
    assert.deepEqual(new Set(Object.values(statuses)), new Set(['pass']), JSON.stringify(statuses));
  });

  it('DISC-07 passes for a local server that trusts a web origin and exposes the challenge to it, DISC-08 still passing', async () => {
    const report = await cases.baseline('web');
    assert.equal(checkOf(report, 'DISC-07').status, 'pass', checkOf(report, 'DISC-07').summary);
    assert.equal(checkOf(report, 'DISC-08').status, 'pass', checkOf(report, 'DISC-08').summary);
  });

  for (const testCase of FLAWS) {
    it(`${testCase.check} ${testCase.status}s on ${testCase.flaw}, and no other DISC check changes`, () => cases.assertCase(testCase));
  }

  it('DISC-10 does not report a metadata host that resolves to a public address', async () => {
    const report = await cases.audit(['prm-jwks-uri-internal-name'], 'publicKeys');
    assert.equal(checkOf(report, 'DISC-10').status, 'pass', checkOf(report, 'DISC-10').summary);
  });

  it('DISC-08 is na for a target on a public address, without a request', async () => {
    let fetched = false;
    const settings = { target: new URL('https://mcp.example.com/mcp'), targetKind: 'public' } as AuditSettings;
    const probe = {
      settings,
      fetch: () => {
        fetched = true;
        throw new Error('no request expected');
      },
    } as unknown as Probe;
    const verdict = await DISC_08.run(probe);
    assert.equal(verdict.status, 'na');
    assert.equal(fetched, false);
  });

  it('DISC-09: plain http is for loopback, and only when what names it is on loopback too', () => {
    const local = new URL('http://127.0.0.1:8080/mcp');
    const remote = new URL('https://mcp.example.com/mcp');
    const flagged = plainHttpEndpoints([
      { name: 'a', value: 'http://localhost:9000/token', base: local },
      { name: 'b', value: 'http://auth.example.com/token', base: local },
      { name: 'c', value: 'http://127.0.0.1:9000/token', base: remote },
      { name: 'd', value: 'https://auth.example.com/token', base: remote },
      { name: 'e', value: 'javascript:alert(1)', base: remote },
    ]);
    assert.deepEqual(
      flagged.map(({ name }) => name),
      ['b', 'c'],
    );
  });

  it('DISC-09: HSTS needs a max-age above zero', () => {
    assert.equal(hstsProblem('max-age=31536000; includeSubDomains'), undefined);
    assert.equal(hstsProblem('includeSubDomains; max-age="600"'), undefined);
    assert.match(hstsProblem(null) ?? '', /no Strict-Transport-Security/);
    assert.match(hstsProblem('max-age=0') ?? '', /max-age=0/);
    assert.match(hstsProblem('includeSubDomains') ?? '', /without max-age/);
  });
});
