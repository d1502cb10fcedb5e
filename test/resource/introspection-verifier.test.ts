import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { OAuthError } from '../../src/core/errors.js';
import { createIntrospectionVerifier, type IntrospectionVerifierOptions } from '../../src/resource/introspection-verifier.js';
import { countingFetch, RESOURCE_A, RESOURCE_B, startTokenIssuer, type TokenIssuer } from '../support/access-tokens.js';
import { addStaticClient, type StaticClient } from '../support/authorization-flow.js';

/**
 * The introspection verifier (RFC 7662) against the real /introspect of a Portcullis server, as a
 * pre-registered confidential client. Refusals are asserted by OAuth error code.
 */

async function assertRefused(promise: Promise<unknown>, code = 'invalid_token'): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof OAuthError && error.code === code);
}

describe('introspection verifier', () => {
  let issuer: TokenIssuer;
  let rs: StaticClient;
  const verifierFor = (overrides: Partial<IntrospectionVerifierOptions> = {}) =>
    createIntrospectionVerifier({
      introspectionEndpoint: issuer.as.introspection_endpoint,
      clientId: rs.clientId,
      clientSecret: rs.secret,
      audience: RESOURCE_A,
      issuer: issuer.server.url,
      ...overrides,
    });

  before(async () => {
    issuer = await startTokenIssuer();
    rs = await addStaticClient(issuer.server.store);
  });
  after(() => issuer.close());

  it('accepts an active access token for this resource', async () => {
    const token = await issuer.accessToken({ scope: 'read write' });
    const identity = await verifierFor().verify(token);
    const claims = decodeJwt(token);
    assert.equal(identity.subject, claims.sub);
    assert.equal(identity.clientId, issuer.clientId);
    assert.deepEqual(identity.scopes, ['read', 'write']);
    assert.equal(identity.audience, RESOURCE_A);
    assert.equal(identity.tokenId, claims.jti);
    assert.equal(identity.expiresAt, claims.exp);
  });

  it('caches an active answer: the second request does not introspect', async () => {
    const token = await issuer.accessToken();
    const counter = countingFetch();
    const verifier = verifierFor({ fetch: counter.fetch });
    await verifier.verify(token);
    await verifier.verify(token);
    assert.equal(counter.count(), 1);
  });

  it('refuses a token for another resource, an unknown token, and a live refresh token', async () => {
    await assertRefused(verifierFor().verify(await issuer.accessToken({ resource: RESOURCE_B })));
    await assertRefused(verifierFor().verify('not-a-token'));
    const { refresh_token } = await issuer.tokenSet();
    await assertRefused(verifierFor().verify(refresh_token));
  });

  it('refuses when the configured issuer differs', async () => {
    await assertRefused(verifierFor({ issuer: 'https://other.example.com' }).verify(await issuer.accessToken()));
  });

  it('stops accepting a revoked token within cache.maxSeconds', async () => {
    const token = await issuer.accessToken();
    let now = Date.now();
    const verifier = verifierFor({ now: () => now, cache: { maxSeconds: 30 } });
    await verifier.verify(token);
    const revoked = await fetch(issuer.as.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: issuer.clientId }).toString(),
    });
    assert.equal(revoked.status, 200);
    await verifier.verify(token);
    now += 31_000;
    await assertRefused(verifier.verify(token));
  });

  it('refuses an expired token by its exp even when the server still says active', async () => {
    const token = await issuer.accessToken();
    const exp = decodeJwt(token).exp!;
    await assertRefused(verifierFor({ now: () => (exp + 31) * 1000 }).verify(token));
  });

  it('answers temporarily_unavailable when its own credentials are wrong or the server is down', async () => {
    const token = await issuer.accessToken();
    await assertRefused(verifierFor({ clientSecret: 'wrong' }).verify(token), 'temporarily_unavailable');
    await assertRefused(verifierFor({ introspectionEndpoint: 'http://127.0.0.1:9/introspect' }).verify(token), 'temporarily_unavailable');
  });
});
