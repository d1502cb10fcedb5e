import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSecret, randomIdentifier, randomSecret } from '../../src/core/secrets.js';

describe('randomSecret', () => {
  it('is base64url of 32 random bytes by default', () => {
    const secret = randomSecret();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
  });

  it('takes the number of bytes', () => {
    assert.equal(Buffer.from(randomSecret(16), 'base64url').length, 16);
    assert.equal(Buffer.from(randomSecret(64), 'base64url').length, 64);
  });

  it('does not repeat, across many refills of its pool of random bytes', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomSecret()));
    assert.equal(seen.size, 1000);
    // Odd sizes, so secrets straddle the pool's end; no 8-byte run is ever handed out twice.
    const runs = new Set<string>();
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(randomSecret(9 + (i % 23)), 'base64url');
      for (let at = 0; at + 8 <= bytes.length; at += 8) runs.add(bytes.subarray(at, at + 8).toString('hex'));
      total += Math.floor(bytes.length / 8);
    }
    assert.equal(runs.size, total);
  });

  it('serves sizes larger than its pool', () => {
    assert.equal(Buffer.from(randomSecret(10_000), 'base64url').length, 10_000);
  });
});

describe('hashSecret', () => {
  it('is base64url SHA-256 (FIPS 180-2 "abc" vector)', () => {
    assert.equal(hashSecret('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('hashes UTF-8', () => {
    // Computed independently (Python hashlib) over the UTF-8 bytes c3 a9.
    assert.equal(hashSecret('é'), 'SplVfkAzw1Od4utlRyAXytX5VX96BiWgnxw_biumnEw');
  });

  it('differs for different secrets and never contains the secret', () => {
    const secret = randomSecret();
    assert.notEqual(hashSecret(secret), hashSecret(`${secret}x`));
    assert.ok(!hashSecret(secret).includes(secret));
  });
});

describe('randomIdentifier', () => {
  it('never begins with "-", so it can be typed as a command-line argument', () => {
    // 4,000 draws: with plain base64url about 62 would begin with "-".
    const ids = Array.from({ length: 4000 }, () => randomIdentifier(18));
    assert.equal(ids.filter((id) => id.startsWith('-')).length, 0);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{23}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});
