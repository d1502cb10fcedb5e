/**
 * What the client seals is bound to its row (AES-GCM associated data): a sealed value copied to
 * another user's, server's or issuer's row, or a pending login's value moved to another state,
 * does not open; a value sealed under an old master secret still opens after rotation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openClientSecret, openPending, openTokens, sealClientSecret, sealPending, sealTokens } from '../../src/client/sealed-values.js';
import { createKeyring } from '../../src/core/seal.js';
import { CLIENT_SECRET, clientKeyring } from '../support/mcp-client.js';

const row = { userId: 'alice', serverUrl: 'https://mcp.example.com/mcp', issuer: 'https://as.example.com' };
const secrets = { access_token: 'at-secret', refresh_token: 'rt-secret', token_type: 'bearer' };

describe('sealed client values', () => {
  it('open only in the row they were sealed for', () => {
    const keyring = clientKeyring();
    const sealed = sealTokens(keyring, row, secrets);
    assert.ok(!sealed.includes('at-secret') && !sealed.includes('rt-secret'));
    assert.deepEqual(openTokens(keyring, { ...row, sealed }), secrets);
    for (const moved of [{ userId: 'mallory' }, { serverUrl: 'https://other.example.com/mcp' }, { issuer: 'https://evil.example.com' }]) {
      assert.throws(() => openTokens(keyring, { ...row, ...moved, sealed }));
    }
    const pending = sealPending(keyring, 'hash-1', {
      verifier: 'v'.repeat(43),
      clientId: 'c',
      redirectUri: 'http://127.0.0.1/cb',
      scope: [],
      resource: row.serverUrl,
    });
    assert.throws(() => openPending(keyring, 'hash-2', pending));
    const secret = sealClientSecret(keyring, row.issuer, 'http://127.0.0.1/cb', 'client-secret');
    assert.equal(openClientSecret(keyring, row.issuer, 'http://127.0.0.1/cb', secret), 'client-secret');
    assert.throws(() => openClientSecret(keyring, 'https://evil.example.com', 'http://127.0.0.1/cb', secret));
  });

  it('open after the master secret is rotated (old secret kept second), not with a foreign key', () => {
    const sealed = sealTokens(clientKeyring(), row, secrets);
    const rotated = createKeyring(['a-new-client-master-secret-0123456789-abcdefghij', CLIENT_SECRET]);
    assert.deepEqual(openTokens(rotated, { ...row, sealed }), secrets);
    assert.throws(() => openTokens(createKeyring(['some-other-master-secret-0123456789-abcdefghijkl']), { ...row, sealed }));
  });
});
