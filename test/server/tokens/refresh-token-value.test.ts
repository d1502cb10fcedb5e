import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyring } from '../../../src/core/seal.js';
import { createRefreshTokenValues, REFRESH_TOKEN_KEY_PURPOSE } from '../../../src/server/tokens/refresh-token-value.js';

const OLD_SECRET = 'old-master-secret-0123456789abcdefghijklmnop';
const NEW_SECRET = 'new-master-secret-0123456789abcdefghijklmnop';
const valuesFor = (...secrets: string[]) => createRefreshTokenValues(createKeyring(secrets).deriveKeys(REFRESH_TOKEN_KEY_PURPOSE));
const GRANT = 'Zm9vYmFyYmF6cXV4cXV1eA';

describe('refresh token values', () => {
  it('reads back the grant and generation it minted', () => {
    const values = valuesFor(OLD_SECRET);
    for (const generation of [0, 1, 41, 999_999_999]) {
      const token = values.mint({ grantId: GRANT, generation });
      assert.deepEqual(values.read(token), { grantId: GRANT, generation });
    }
  });

  it('gives every generation its own MAC', () => {
    const values = valuesFor(OLD_SECRET);
    const macs = new Set([0, 1, 2, 3].map((generation) => values.mint({ grantId: GRANT, generation }).split('.')[2]));
    assert.equal(macs.size, 4);
  });

  it('refuses a value whose grant, generation or MAC was changed', () => {
    const values = valuesFor(OLD_SECRET);
    const [grantId, generation, mac] = values.mint({ grantId: GRANT, generation: 5 }).split('.') as [string, string, string];
    const otherChar = (c: string) => (c === 'A' ? 'B' : 'A');
    const tampered = [
      `${grantId.slice(0, -1)}${otherChar(grantId.at(-1)!)}.${generation}.${mac}`,
      `${grantId}.4.${mac}`,
      `${grantId}.6.${mac}`,
      `${grantId}.05.${mac}`,
      `${grantId}.${generation}.${otherChar(mac[0]!)}${mac.slice(1)}`,
      `${grantId}.${generation}.${mac.slice(0, -1)}`,
      `${grantId}.${generation}.${mac}=`,
      `${grantId}.${generation}.${mac}.extra`,
      `${grantId}.-1.${mac}`,
      '',
      'not-a-token',
    ];
    for (const value of tampered) assert.equal(values.read(value), undefined, value);
  });

  it('refuses a non-canonical spelling of the MAC (its spare low bits set)', () => {
    const values = valuesFor(OLD_SECRET);
    const token = values.mint({ grantId: GRANT, generation: 0 });
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 bytes in 43 characters: the last carries 4 bits and 2 spare ones, which are zero when minted.
    const sameBytes = alphabet[alphabet.indexOf(last) + 1]!;
    assert.equal(Buffer.from(token.slice(-43, -1) + sameBytes, 'base64url').equals(Buffer.from(token.slice(-43), 'base64url')), true);
    assert.equal(values.read(token.slice(0, -1) + sameBytes), undefined);
  });

  it('refuses a value minted under another master secret', () => {
    assert.equal(valuesFor(NEW_SECRET).read(valuesFor(OLD_SECRET).mint({ grantId: GRANT, generation: 0 })), undefined);
  });

  it('still reads values of an older master secret kept for rotation, and mints with the newest', () => {
    const old = valuesFor(OLD_SECRET).mint({ grantId: GRANT, generation: 2 });
    const rotated = valuesFor(NEW_SECRET, OLD_SECRET);
    assert.deepEqual(rotated.read(old), { grantId: GRANT, generation: 2 });
    const minted = rotated.mint({ grantId: GRANT, generation: 3 });
    assert.deepEqual(valuesFor(NEW_SECRET).read(minted), { grantId: GRANT, generation: 3 });
    assert.equal(valuesFor(OLD_SECRET).read(minted), undefined);
  });
});
