/** Who may get in through an upstream provider, and which scopes their claims allow. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessRefusal, scopesAllowedByClaims, type UpstreamIdentity } from '../../../src/server/federation/access-policy.js';

function identity(overrides: Partial<UpstreamIdentity> = {}): UpstreamIdentity {
  return {
    providerId: 'corp',
    subject: 'u-1',
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice',
    claims: { groups: ['mcp-users'] },
    ...overrides,
  };
}

describe('access rules', () => {
  it('lets anyone in when no rule is set', () => {
    assert.equal(accessRefusal({}, identity({ email: undefined })), undefined);
  });

  it('allows only listed email domains, case-insensitively, and only verified addresses', () => {
    const rules = { emailDomains: ['Example.com'] };
    assert.equal(accessRefusal(rules, identity()), undefined);
    assert.equal(accessRefusal(rules, identity({ email: 'ALICE@EXAMPLE.COM' })), undefined);
    assert.match(accessRefusal(rules, identity({ email: 'mallory@evil.example' }))!, /evil\.example/);
    // A look-alike: the domain is compared whole, not as a suffix.
    assert.notEqual(accessRefusal(rules, identity({ email: 'mallory@notexample.com' })), undefined);
    assert.notEqual(accessRefusal(rules, identity({ email: 'a@b@example.com' })), undefined);
    assert.match(accessRefusal(rules, identity({ email: undefined }))!, /no email/);
    assert.match(accessRefusal(rules, identity({ emailVerified: false }))!, /not verified/);
    // A plain OAuth 2.0 provider does not say: the address counts.
    assert.equal(accessRefusal(rules, identity({ emailVerified: undefined })), undefined);
  });

  it('allows only listed subjects', () => {
    assert.equal(accessRefusal({ subjects: ['u-1'] }, identity()), undefined);
    assert.notEqual(accessRefusal({ subjects: ['u-2'] }, identity()), undefined);
  });

  it('needs a listed value in a string or list claim, and every rule set to match', () => {
    assert.equal(accessRefusal({ claims: { groups: ['admins', 'mcp-users'] } }, identity()), undefined);
    assert.notEqual(accessRefusal({ claims: { groups: ['admins'] } }, identity()), undefined);
    assert.notEqual(accessRefusal({ claims: { hd: ['example.com'] } }, identity()), undefined);
    assert.equal(accessRefusal({ claims: { hd: ['example.com'] } }, identity({ claims: { hd: 'example.com' } })), undefined);
    // Domain allowed but group missing: refused (AND across rules).
    assert.notEqual(accessRefusal({ emailDomains: ['example.com'], claims: { groups: ['admins'] } }, identity()), undefined);
  });
});

describe('scope rules', () => {
  const rules = [{ scope: 'notes:write', claim: 'groups', values: ['editors'] }];

  it('withholds a ruled scope from a user whose claims do not match, and leaves other scopes alone', () => {
    assert.deepEqual(scopesAllowedByClaims(rules, identity(), ['notes:read', 'notes:write']), ['notes:read']);
    assert.deepEqual(scopesAllowedByClaims(rules, identity({ claims: { groups: ['editors'] } }), ['notes:read', 'notes:write']), ['notes:read', 'notes:write']);
  });

  it('grants a scope when any of its rules matches', () => {
    const two = [...rules, { scope: 'notes:write', claim: 'role', values: ['owner'] }];
    assert.deepEqual(scopesAllowedByClaims(two, identity({ claims: { role: 'owner' } }), ['notes:write']), ['notes:write']);
  });
});
