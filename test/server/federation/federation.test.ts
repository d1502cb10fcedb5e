import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Federation, identityProviderRegistrations } from '../../../src/server/federation/federation.js';
import type { UpstreamProvider } from '../../../src/server/federation/upstream-provider.js';

describe('identity provider registrations', () => {
  it('names each provider with the redirect URI to register at it', () => {
    const provider = {
      config: { id: 'corp', name: 'Corp SSO' },
      callbackUrl: 'https://auth.example.com/federation/corp/callback',
    } as unknown as UpstreamProvider;
    const federation: Federation = { localUsers: false, providers: new Map([['corp', provider]]) };
    assert.deepEqual(identityProviderRegistrations(federation), [
      { id: 'corp', name: 'Corp SSO', callbackUrl: 'https://auth.example.com/federation/corp/callback' },
    ]);
  });

  it('is empty without federation', () => {
    assert.deepEqual(identityProviderRegistrations(undefined), []);
  });
});
