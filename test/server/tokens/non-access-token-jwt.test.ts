import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { signNonAccessTokenJwt } from '../../../src/server/tokens/non-access-token-jwt.js';

describe('signing JWTs other than access tokens (RFC 8725 §3.11)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = { current: async () => ({ kid: 'kid-1', privateKey }) } as Parameters<typeof signNonAccessTokenJwt>[0];

  it('signs with the current key, its own typ, and this server as iss', async () => {
    const jwt = await signNonAccessTokenJwt(keys, 'https://auth.example.com', 'identity+jwt', { sub: 'user-1' });
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', typ: 'identity+jwt', kid: 'kid-1' });
    const { payload } = await compactVerify(jwt, publicKey);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)), { iss: 'https://auth.example.com', sub: 'user-1' });
  });

  it('refuses to sign anything typed as an access token', async () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt']) {
      await assert.rejects(signNonAccessTokenJwt(keys, 'https://auth.example.com', typ, {}), /does not mint access tokens/, typ);
    }
  });
});
