import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VerifiedIdentity } from '../../src/resource/types.js';
import { createVerifiedTokenCache } from '../../src/resource/verified-token-cache.js';

/** The verified-token cache's synchronous lookup, which the guards' fast path relies on. */

const identity: VerifiedIdentity = Object.freeze({
  subject: 'u',
  clientId: 'c',
  scopes: Object.freeze(['read']),
  issuer: 'https://as.example.com',
  audience: 'https://mcp.example.com/mcp',
  tokenId: 'j',
  expiresAt: 2_000,
});

describe('verified-token cache', () => {
  it('peek finds a verified token until it lapses, then forgets it', async () => {
    let now = 1_000_000;
    const cache = createVerifiedTokenCache({ now: () => now, maxSeconds: 30 });
    assert.equal(cache.peek('abc.def.ghi'), undefined);
    await cache.getOrVerify('abc.def.ghi', async () => ({ identity, trustedUntilMs: now + 10_000 }));
    assert.equal(cache.peek('abc.def.ghi'), identity);
    assert.equal(cache.peek('abc.def.gh'), undefined);
    now += 10_000;
    assert.equal(cache.peek('abc.def.ghi'), undefined);
  });

  it('never keeps a token that is not an RFC 6750 b64token, so a hit implies well-formed credentials', async () => {
    const cache = createVerifiedTokenCache({ now: () => 0 });
    for (const token of ['abc def', ' abc', 'abc,def', 'abc=d']) {
      await cache.getOrVerify(token, async () => ({ identity, trustedUntilMs: 10_000 }));
      assert.equal(cache.peek(token), undefined, token);
    }
  });

  it('does not cache a rejection', async () => {
    const cache = createVerifiedTokenCache({ now: () => 0 });
    await assert.rejects(cache.getOrVerify('abc', () => Promise.reject(new Error('no'))));
    assert.equal(cache.peek('abc'), undefined);
  });
});
