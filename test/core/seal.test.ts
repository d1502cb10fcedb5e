import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyring } from '../../src/core/seal.js';

const OLD_SECRET = 'old-master-secret-0123456789abcdefghijklmnop';
const NEW_SECRET = 'new-master-secret-0123456789abcdefghijklmnop';
const CONTEXT = 'upstream_tokens.refresh_token';

/** Splits `v1.<kid>.<iv>.<ciphertext>.<tag>`. */
function split(sealed: string) {
  const [format, kid, iv, body, tag, ...rest] = sealed.split('.');
  assert.equal(rest.length, 0);
  assert.ok(format !== undefined && kid !== undefined && iv !== undefined && body !== undefined && tag !== undefined);
  return { format, kid, iv, body, tag };
}

/** Flips one bit in a base64url part (on the bytes, so no padding bits are involved). */
function flipBit(part: string, byteIndex = 0): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[byteIndex] = bytes[byteIndex]! ^ 0x01;
  return bytes.toString('base64url');
}

function join(p: ReturnType<typeof split>): string {
  return [p.format, p.kid, p.iv, p.body, p.tag].join('.');
}

describe('createKeyring', () => {
  it('refuses an empty keyring and a short master secret', () => {
    assert.throws(() => createKeyring([]));
    assert.throws(() => createKeyring(['x'.repeat(31)]));
    assert.throws(() => createKeyring([NEW_SECRET, 'x'.repeat(31)]));
    assert.doesNotThrow(() => createKeyring(['x'.repeat(32)]));
  });
});

describe('seal / open (AES-256-GCM)', () => {
  const keyring = createKeyring([OLD_SECRET]);

  it('round-trips text, including empty and non-ASCII', () => {
    for (const plaintext of ['a refresh token', '', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)]) {
      assert.equal(keyring.open(keyring.seal(plaintext, CONTEXT), CONTEXT), plaintext);
    }
  });

  it('writes v1.<kid>.<iv>.<ciphertext>.<tag> with a 12-byte IV and 16-byte tag, never the plaintext', () => {
    const sealed = keyring.seal('secret-value-123', CONTEXT);
    const parts = split(sealed);
    assert.equal(parts.format, 'v1');
    assert.equal(Buffer.from(parts.iv, 'base64url').length, 12);
    assert.equal(Buffer.from(parts.tag, 'base64url').length, 16);
    assert.ok(!sealed.includes('secret-value-123'));
    assert.ok(!sealed.includes(Buffer.from('secret-value-123').toString('base64url')));
  });

  it('uses a fresh IV each time', () => {
    const a = split(keyring.seal('same', CONTEXT));
    const b = split(keyring.seal('same', CONTEXT));
    assert.notEqual(a.iv, b.iv);
    assert.notEqual(a.body, b.body);
  });

  it('refuses tampered ciphertext', () => {
    const parts = split(keyring.seal('a refresh token', CONTEXT));
    assert.throws(() => keyring.open(join({ ...parts, body: flipBit(parts.body, 3) }), CONTEXT));
  });

  it('refuses a tampered tag', () => {
    const parts = split(keyring.seal('a refresh token', CONTEXT));
    assert.throws(() => keyring.open(join({ ...parts, tag: flipBit(parts.tag, 15) }), CONTEXT));
  });

  it('refuses a truncated tag', () => {
    const parts = split(keyring.seal('a refresh token', CONTEXT));
    const tag = Buffer.from(parts.tag, 'base64url');
    for (const length of [4, 8, 12, 15]) {
      assert.throws(() => keyring.open(join({ ...parts, tag: tag.subarray(0, length).toString('base64url') }), CONTEXT), `tag of ${length} bytes`);
    }
  });

  it('refuses a tampered IV', () => {
    const parts = split(keyring.seal('a refresh token', CONTEXT));
    assert.throws(() => keyring.open(join({ ...parts, iv: flipBit(parts.iv, 0) }), CONTEXT));
  });

  it('refuses another context (AAD), so a value cannot move between columns', () => {
    const sealed = keyring.seal('a refresh token', CONTEXT);
    assert.throws(() => keyring.open(sealed, 'upstream_tokens.access_token'));
    assert.throws(() => keyring.open(sealed, ''));
  });

  it('refuses an unknown key id', () => {
    const parts = split(keyring.seal('a refresh token', CONTEXT));
    assert.throws(() => keyring.open(join({ ...parts, kid: 'AAAAAAAA' }), CONTEXT), /not in the keyring/);
  });

  it('refuses an unknown format', () => {
    const parts = split(keyring.seal('a refresh token', CONTEXT));
    assert.throws(() => keyring.open(join({ ...parts, format: 'v2' }), CONTEXT), /unknown format/);
    assert.throws(() => keyring.open('garbage', CONTEXT), /unknown format/);
    assert.throws(() => keyring.open('', CONTEXT), /unknown format/);
  });
});

describe('master secret rotation', () => {
  const oldRing = createKeyring([OLD_SECRET]);
  const rotated = createKeyring([NEW_SECRET, OLD_SECRET]);
  const newOnly = createKeyring([NEW_SECRET]);

  it('opens values sealed under the old secret when the new one is first', () => {
    const sealedOld = oldRing.seal('from before the rotation', CONTEXT);
    assert.equal(rotated.open(sealedOld, CONTEXT), 'from before the rotation');
  });

  it('seals under the new secret', () => {
    const sealedNew = rotated.seal('after the rotation', CONTEXT);
    assert.notEqual(split(sealedNew).kid, split(oldRing.seal('x', CONTEXT)).kid);
    assert.equal(split(sealedNew).kid, split(newOnly.seal('x', CONTEXT)).kid);
    assert.equal(newOnly.open(sealedNew, CONTEXT), 'after the rotation');
    assert.throws(() => oldRing.open(sealedNew, CONTEXT), /not in the keyring/);
  });

  it('cannot open old values once the old secret is dropped', () => {
    const sealedOld = oldRing.seal('from before the rotation', CONTEXT);
    assert.throws(() => newOnly.open(sealedOld, CONTEXT), /not in the keyring/);
  });

  it('cannot open old values with the old key id relabelled to the new one', () => {
    const parts = split(oldRing.seal('from before the rotation', CONTEXT));
    const newKid = split(newOnly.seal('x', CONTEXT)).kid;
    assert.throws(() => newOnly.open(join({ ...parts, kid: newKid }), CONTEXT));
  });
});

describe('deriveKey', () => {
  it('is a deterministic 32-byte key per purpose and master secret', () => {
    const a = createKeyring([OLD_SECRET]).deriveKey('csrf');
    assert.equal(a.length, 32);
    assert.deepEqual(createKeyring([OLD_SECRET]).deriveKey('csrf'), a);
    assert.notDeepEqual(createKeyring([OLD_SECRET]).deriveKey('session'), a);
    assert.notDeepEqual(createKeyring([NEW_SECRET]).deriveKey('csrf'), a);
  });

  it('derives from the first (current) master secret', () => {
    assert.deepEqual(createKeyring([NEW_SECRET, OLD_SECRET]).deriveKey('csrf'), createKeyring([NEW_SECRET]).deriveKey('csrf'));
  });
});
