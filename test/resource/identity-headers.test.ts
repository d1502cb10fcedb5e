import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  createGatewayIdentityVerifier,
  createIdentityHeaders,
  encodeHeaderValue,
  IDENTITY_HEADER,
  type IdentitySigner,
  verifyGatewayIdentity,
} from '../../src/resource/identity-headers.js';
import { createJwtVerifier } from '../../src/resource/jwt-verifier.js';
import type { VerifiedIdentity } from '../../src/resource/types.js';
import { verifyOwnAccessToken } from '../../src/server/tokens/access-token.js';
import { startTestServer, type TestServer } from '../support/server.js';

const UPSTREAM = 'http://127.0.0.1:3000/mcp';

describe('identity headers', () => {
  let as: TestServer;
  let sign: IdentitySigner;
  let signatures = 0;
  let identity: VerifiedIdentity;
  let jwksUrl: string;

  before(async () => {
    as = await startTestServer();
    sign = (typ, payload) => {
      signatures++;
      return as.server.signJwt(typ, payload);
    };
    jwksUrl = `${as.url}${as.server.paths.jwks}`;
    identity = {
      subject: 'user-1',
      clientId: 'client-1',
      scopes: ['mcp', 'notes:write'],
      issuer: as.url,
      audience: `${as.url}/mcp`,
      tokenId: 'jti-1',
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    };
  });
  after(() => as.close());

  it('carries subject, client and scope, and a JWS the upstream verifies with the published JWKS', async () => {
    const headers = await createIdentityHeaders({ sign, upstreamUrl: UPSTREAM })(identity);
    assert.equal(headers['x-portcullis-subject'], 'user-1');
    assert.equal(headers['x-portcullis-client-id'], 'client-1');
    assert.equal(headers['x-portcullis-scope'], 'mcp notes:write');
    const jws = headers[IDENTITY_HEADER]!;
    assert.equal(decodeProtectedHeader(jws).typ, 'portcullis-identity+jwt');
    const verified = await verifyGatewayIdentity(jws, { jwksUrl, issuer: as.url, upstreamUrl: UPSTREAM });
    assert.equal(verified.subject, 'user-1');
    assert.equal(verified.clientId, 'client-1');
    assert.deepEqual(verified.scopes, ['mcp', 'notes:write']);
    assert.equal(verified.expiresAt - verified.issuedAt, 60);
  });

  it('is refused by an upstream with another URL, another issuer, or after it expired', async () => {
    const jws = (await createIdentityHeaders({ sign, upstreamUrl: UPSTREAM })(identity))[IDENTITY_HEADER]!;
    await assert.rejects(verifyGatewayIdentity(jws, { jwksUrl, issuer: as.url, upstreamUrl: 'http://127.0.0.1:4000/mcp' }), {
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
    await assert.rejects(verifyGatewayIdentity(jws, { jwksUrl, issuer: 'https://other.example', upstreamUrl: UPSTREAM }), {
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
    const later = new Date(Date.now() + 70_000);
    await assert.rejects(verifyGatewayIdentity(jws, { jwksUrl, issuer: as.url, upstreamUrl: UPSTREAM, currentDate: later }), { code: 'ERR_JWT_EXPIRED' });
  });

  it('never passes as an access token: not for the authorization server, not for a verifier of the resource', async () => {
    const jws = (await createIdentityHeaders({ sign, upstreamUrl: identity.audience })(identity))[IDENTITY_HEADER]!;
    assert.equal(await verifyOwnAccessToken(as.server.signingKeys, as.url, jws, Math.floor(Date.now() / 1000)), null);
    const jwks = createRemoteJWKSet(new URL(jwksUrl));
    await assert.rejects(jwtVerify(jws, jwks, { typ: 'at+jwt', issuer: as.url, audience: identity.audience }), {
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'typ',
    });
    const gatewayVerifier = createJwtVerifier({ issuer: as.url, audience: identity.audience, jwksUri: jwksUrl });
    await assert.rejects(gatewayVerifier.verify(jws), { code: 'invalid_token' });
  });

  it('refuses a forged assertion signed by another key, and a plain access-token type', async () => {
    const verify = createGatewayIdentityVerifier({ jwks: await as.server.signingKeys.jwks(), issuer: as.url, upstreamUrl: UPSTREAM });
    const good = (await createIdentityHeaders({ sign, upstreamUrl: UPSTREAM })(identity))[IDENTITY_HEADER]!;
    const [h, p] = good.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'admin' })).toString('base64url');
    await assert.rejects(verify(`${h}.${forgedPayload}.${good.split('.')[2]}`), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    await assert.rejects(as.server.signJwt('at+jwt', {}));
  });

  it('signs once per access token until 10 s before the assertion expires, never past the token', async () => {
    let now = 1_000_000;
    const headersFor = createIdentityHeaders({ sign, upstreamUrl: UPSTREAM, now: () => now });
    const before = signatures;
    const first = await headersFor(identity);
    now += 49;
    assert.equal(await headersFor(identity), first);
    now += 1;
    assert.notEqual((await headersFor(identity))[IDENTITY_HEADER], first[IDENTITY_HEADER]);
    await headersFor({ ...identity, tokenId: 'jti-2' });
    assert.equal(signatures - before, 3);
    const shortLived = { ...identity, tokenId: 'jti-3', expiresAt: now + 20 };
    const { payload } = await jwtVerify((await headersFor(shortLived))[IDENTITY_HEADER]!, createRemoteJWKSet(new URL(jwksUrl)), {
      currentDate: new Date(now * 1000),
    });
    assert.equal(payload.exp, now + 20);
  });

  it('encodes header values so none can split a header, reversibly', () => {
    assert.equal(encodeHeaderValue('alice@example.com'), 'alice@example.com');
    for (const value of ['a\r\nX-Portcullis-Subject: admin', 'Zoë', '100%', 'tab\there']) {
      const encoded = encodeHeaderValue(value);
      assert.match(encoded, /^[\x20-\x7e]*$/);
      assert.equal(decodeURIComponent(encoded), value);
    }
  });
});
