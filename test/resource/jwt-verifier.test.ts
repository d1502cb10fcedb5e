import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { OAuthError } from '../../src/core/errors.js';
import { createJwtVerifier, type JwtVerifierOptions } from '../../src/resource/jwt-verifier.js';
import type { VerifiedIdentity } from '../../src/resource/types.js';
import { accessTokenClaims, countingFetch, RESOURCE_A, RESOURCE_B, startTokenIssuer, type TokenIssuer } from '../support/access-tokens.js';

/**
 * The JWT access-token verifier against a real Portcullis authorization server and its JWKS over
 * loopback HTTP (RFC 9068 §4; docs/design.md invariant 6). Refusals are asserted by OAuth error code.
 */

async function assertRefused(promise: Promise<unknown>, code = 'invalid_token'): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OAuthError, `an OAuthError, got ${String(error)}`);
    assert.equal(error.code, code, `detail: ${error.detail}`);
    return true;
  });
}

describe('JWT access-token verifier', () => {
  let issuer: TokenIssuer;
  let readToken: string;
  const verifierFor = (overrides: Partial<JwtVerifierOptions> = {}) =>
    createJwtVerifier({ issuer: issuer.server.url, audience: RESOURCE_A, jwksUri: issuer.as.jwks_uri, ...overrides });

  before(async () => {
    issuer = await startTokenIssuer();
    readToken = await issuer.accessToken({ scope: 'read write' });
  });
  after(() => issuer.close());

  it('accepts a token the server minted for this resource and returns who is calling', async () => {
    const identity = await verifierFor().verify(readToken);
    const claims = decodeJwt(readToken);
    assert.equal(identity.subject, claims.sub);
    assert.equal(identity.clientId, issuer.clientId);
    assert.deepEqual(identity.scopes, ['read', 'write']);
    assert.equal(identity.issuer, issuer.server.url);
    assert.equal(identity.audience, RESOURCE_A);
    assert.equal(identity.tokenId, claims.jti);
    assert.equal(identity.expiresAt, claims.exp);
  });

  it('caches a verified token: the second request asks neither the JWKS nor the revocation check', async () => {
    const jwks = countingFetch();
    let liveChecks = 0;
    const verifier = verifierFor({
      fetch: jwks.fetch,
      isTokenLive: async () => {
        liveChecks++;
        return true;
      },
    });
    await verifier.verify(readToken);
    await verifier.verify(readToken);
    assert.equal(liveChecks, 1);
    assert.equal(jwks.count(), 1);
  });

  it('shares one verification among concurrent requests with the same new token', async () => {
    let liveChecks = 0;
    const verifier = verifierFor({
      isTokenLive: async () => {
        liveChecks++;
        return true;
      },
    });
    const identities = await Promise.all(Array.from({ length: 8 }, () => verifier.verify(readToken)));
    assert.equal(new Set(identities.map((i) => i.tokenId)).size, 1);
    assert.equal(liveChecks, 1);
  });

  it('keeps at most maxEntries tokens, evicting the oldest', async () => {
    const checked: string[] = [];
    const verifier = verifierFor({
      cache: { maxEntries: 2 },
      isTokenLive: async (id) => {
        checked.push(id.tokenId);
        return true;
      },
    });
    const tokens = await Promise.all([1, 2, 3].map(() => issuer.signWithServerKey({}, accessTokenClaims(issuer.server.url))));
    for (const token of tokens) await verifier.verify(token);
    await verifier.verify(tokens[2]!);
    await verifier.verify(tokens[1]!);
    assert.equal(checked.length, 3, 'the two newest are cached');
    await verifier.verify(tokens[0]!);
    assert.equal(checked.length, 4, 'the oldest was evicted and is checked again');
  });

  it('stops accepting a revoked token within cache.maxSeconds', async () => {
    const token = await issuer.accessToken();
    let now = Date.now();
    const verifier = verifierFor({
      now: () => now,
      cache: { maxSeconds: 30 },
      isTokenLive: (identity: VerifiedIdentity) => issuer.server.server.isAccessTokenLive(identity.tokenId),
    });
    await verifier.verify(token);
    const revoked = await fetch(issuer.as.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: issuer.clientId }).toString(),
    });
    assert.equal(revoked.status, 200);
    await verifier.verify(token); // still cached: the documented bound
    now += 31_000;
    await assertRefused(verifier.verify(token));
    await assertRefused(verifierFor({ isTokenLive: (id) => issuer.server.server.isAccessTokenLive(id.tokenId) }).verify(token));
  });

  it('refuses an expired token, after the clock skew, even when it is cached', async () => {
    const exp = decodeJwt(readToken).exp!;
    let now = Date.now();
    const verifier = verifierFor({ now: () => now, cache: { maxSeconds: 3600 } });
    await verifier.verify(readToken);
    now = (exp + 29) * 1000;
    await verifier.verify(readToken);
    now = (exp + 31) * 1000;
    await assertRefused(verifier.verify(readToken));
    await assertRefused(verifierFor({ now: () => (exp + 31) * 1000 }).verify(readToken));
  });

  it('refuses a token not valid yet (nbf beyond the skew)', async () => {
    const token = await issuer.signWithServerKey({}, accessTokenClaims(issuer.server.url, { nbf: Math.floor(Date.now() / 1000) + 120 }));
    await assertRefused(verifierFor().verify(token));
  });

  it('refuses a token the same server minted for another resource (RFC 8707)', async () => {
    const tokenForB = await issuer.accessToken({ resource: RESOURCE_B });
    await assertRefused(verifierFor().verify(tokenForB));
    await verifierFor({ audience: RESOURCE_B }).verify(tokenForB);
  });

  it('refuses a token for several audiences, even one of them this resource', async () => {
    const both = await issuer.signWithServerKey({}, accessTokenClaims(issuer.server.url, { aud: [RESOURCE_A, RESOURCE_B] }));
    await assertRefused(verifierFor().verify(both));
    const onlyA = await issuer.signWithServerKey({}, accessTokenClaims(issuer.server.url, { aud: [RESOURCE_A] }));
    await verifierFor().verify(onlyA);
  });

  it('refuses a token signed by a foreign key, with the real kid or its own', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const claims = decodeJwt(readToken);
    const { kid } = decodeProtectedHeader(readToken);
    for (const headerKid of [kid!, 'attacker-key']) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: headerKid }).sign(privateKey);
      await assertRefused(verifierFor().verify(forged));
    }
  });

  it('refuses a JWT of the right issuer and key but another type (RFC 9068 §4, RFC 8725 §3.11)', async () => {
    const claims = accessTokenClaims(issuer.server.url);
    await assertRefused(verifierFor().verify(await issuer.server.server.signJwt('JWT', claims)));
    await assertRefused(verifierFor().verify(await issuer.signWithServerKey({ typ: 'id_token+jwt' }, claims)));
    await verifierFor().verify(await issuer.signWithServerKey({ typ: 'application/at+jwt' }, claims));
  });

  it('refuses a token from another issuer signed with the right key', async () => {
    await assertRefused(verifierFor().verify(await issuer.signWithServerKey({}, accessTokenClaims('https://evil.example.com'))));
  });

  it('refuses alg none and HS256 signed with the public key as secret', async () => {
    const claims = accessTokenClaims(issuer.server.url);
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
    await assertRefused(verifierFor().verify(`${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`));
    const publicJwk = (await (await fetch(issuer.as.jwks_uri)).json()) as { keys: { kid: string }[] };
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk.keys[0]));
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: publicJwk.keys[0]!.kid }).sign(secret);
    await assertRefused(verifierFor().verify(hs));
  });

  it('refuses a token missing sub, client_id or jti, and garbage', async () => {
    for (const missing of ['sub', 'client_id', 'jti']) {
      const claims = accessTokenClaims(issuer.server.url);
      delete claims[missing];
      await assertRefused(verifierFor().verify(await issuer.signWithServerKey({}, claims)));
    }
    for (const garbage of ['', 'abc', 'a.b.c', `${'a'.repeat(9000)}.b.c`]) await assertRefused(verifierFor().verify(garbage));
  });

  it('picks up a rotated key: an unknown kid makes it fetch the JWKS again', async () => {
    const jwks = countingFetch();
    const verifier = verifierFor({ fetch: jwks.fetch, jwks: { cooldownSeconds: 0 } });
    await verifier.verify(readToken);
    assert.equal(jwks.count(), 1);
    await issuer.server.server.signingKeys.rotate({ immediately: true });
    const rotated = await issuer.accessToken();
    assert.notEqual(decodeProtectedHeader(rotated).kid, decodeProtectedHeader(readToken).kid);
    await verifier.verify(rotated);
    assert.equal(jwks.count(), 2);
    await verifierFor().verify(readToken); // the retired key stays published until its tokens expire
  });

  it('does not fetch the JWKS again for every unknown kid within the cooldown', async () => {
    const jwks = countingFetch();
    const verifier = verifierFor({ fetch: jwks.fetch });
    await verifier.verify(readToken);
    const { privateKey } = await generateKeyPair('ES256');
    for (let i = 0; i < 10; i++) {
      const forged = await new SignJWT(accessTokenClaims(issuer.server.url)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: `k${i}` }).sign(privateKey);
      await assertRefused(verifier.verify(forged));
    }
    assert.equal(jwks.count(), 1);
  });

  it('answers temporarily_unavailable, not invalid_token, when the JWKS cannot be fetched', async () => {
    const verifier = verifierFor({ jwksUri: 'http://127.0.0.1:9/jwks' });
    await assertRefused(verifier.verify(readToken), 'temporarily_unavailable');
    const notJwks = verifierFor({ jwksUri: `${issuer.server.url}/.well-known/oauth-authorization-server` });
    await assertRefused(notJwks.verify(readToken), 'temporarily_unavailable');
  });

  it('answers temporarily_unavailable when the revocation check fails', async () => {
    const verifier = verifierFor({ isTokenLive: () => Promise.reject(new Error('database is down')) });
    await assertRefused(verifier.verify(readToken), 'temporarily_unavailable');
  });

  it('refuses a plain-http JWKS URL off loopback at construction', () => {
    assert.throws(() => verifierFor({ jwksUri: 'http://auth.example.com/jwks' }), TypeError);
  });
});
