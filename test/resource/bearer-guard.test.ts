import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseChallenge } from '../../src/core/www-authenticate.js';
import { type BearerCheck, type BearerGuard, type BearerRefusal, createBearerGuard } from '../../src/resource/bearer-guard.js';
import { createJwtVerifier } from '../../src/resource/jwt-verifier.js';
import { parseScopePolicy } from '../../src/resource/scope-policy.js';
import { RESOURCE_A, RESOURCE_B, startTokenIssuer, type TokenIssuer } from '../support/access-tokens.js';

/**
 * The bearer guard with a real JWT verifier and real tokens: RFC 6750 §3 challenges, RFC 9728
 * `resource_metadata`, MCP step-up on insufficient scope, and the refusal of query/body tokens.
 */

const METADATA_URL = 'https://mcp-a.example.com/.well-known/oauth-protected-resource/mcp';
const deleteNote = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_note', arguments: { id: 1 } } };
const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

function refusal(result: BearerCheck): Response {
  assert.ok(result.response, `expected a refusal, got identity ${JSON.stringify(result.identity)}`);
  return result.response;
}

/** Asserts status, the challenge's error (undefined: none) and the headers every refusal has. */
function assertChallenge(response: Response, status: number, error: string | undefined): Record<string, string> {
  assert.equal(response.status, status);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  assert.match(response.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/i);
  const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
  assert.ok(challenge, 'a Bearer challenge');
  assert.equal(challenge['error'], error);
  assert.equal(challenge['resource_metadata'], METADATA_URL);
  return challenge;
}

describe('bearer guard', () => {
  let issuer: TokenIssuer;
  let guard: BearerGuard;
  let readToken: string;
  let writeToken: string;
  const refusals: BearerRefusal[] = [];
  const request = (headers: Record<string, string>, extra: { url?: string; body?: unknown; form?: URLSearchParams } = {}) =>
    guard.check({ url: extra.url ?? '/mcp', headers: new Headers(headers), body: extra.body ?? listTools, ...(extra.form ? { form: extra.form } : {}) });

  before(async () => {
    issuer = await startTokenIssuer();
    const verifier = createJwtVerifier({ issuer: issuer.server.url, audience: RESOURCE_A, jwksUri: issuer.as.jwks_uri });
    guard = createBearerGuard({
      verifier,
      resource: RESOURCE_A,
      scopePolicy: parseScopePolicy({ required: ['read'], tools: { delete_note: ['write'] } }),
      onRefusal: (r) => refusals.push(r),
    });
    readToken = await issuer.accessToken({ scope: 'read' });
    writeToken = await issuer.accessToken({ scope: 'read write' });
  });
  after(() => issuer.close());

  it('accepts a valid token and returns the identity', async () => {
    const result = await request({ Authorization: `Bearer ${readToken}` });
    assert.equal(result.identity?.audience, RESOURCE_A);
    assert.deepEqual(result.identity?.scopes, ['read']);
    assert.equal((await request({ Authorization: `bearer  ${readToken}` })).identity?.clientId, issuer.clientId);
  });

  it('answers a request without a token 401 with no error code, the metadata URL and the scopes needed', async () => {
    const response = refusal(await request({}, { body: deleteNote }));
    const challenge = assertChallenge(response, 401, undefined);
    assert.equal(challenge['scope'], 'read write');
  });

  it('treats another scheme as no credentials (RFC 6750 §3.1)', async () => {
    assertChallenge(refusal(await request({ Authorization: 'Basic dXNlcjpwYXNz' })), 401, undefined);
  });

  it('answers malformed Bearer credentials 401 invalid_token', async () => {
    for (const value of ['Bearer', 'Bearer ', `Bearer ${readToken} extra`, 'Bearer a,b', `Bearer ${readToken}, Bearer ${readToken}`]) {
      assertChallenge(refusal(await request({ Authorization: value })), 401, 'invalid_token');
    }
  });

  it('answers a token for another resource 401 invalid_token', async () => {
    const tokenForB = await issuer.accessToken({ resource: RESOURCE_B });
    const response = refusal(await request({ Authorization: `Bearer ${tokenForB}` }));
    assertChallenge(response, 401, 'invalid_token');
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_token');
  });

  it('refuses a token in the query or a form body, even next to a valid header', async () => {
    const header = { Authorization: `Bearer ${readToken}` };
    assertChallenge(refusal(await request(header, { url: `/mcp?access_token=${readToken}` })), 400, 'invalid_request');
    assertChallenge(refusal(await request({}, { url: `https://mcp-a.example.com/mcp?x=1&access_token=${readToken}` })), 400, 'invalid_request');
    assertChallenge(refusal(await request(header, { form: new URLSearchParams({ access_token: readToken }) })), 400, 'invalid_request');
  });

  it('answers insufficient scope 403 naming every scope the call needs, held ones included (step-up)', async () => {
    const response = refusal(await request({ Authorization: `Bearer ${readToken}` }, { body: deleteNote }));
    const challenge = assertChallenge(response, 403, 'insufficient_scope');
    assert.equal(challenge['scope'], 'read write');
    const batch = [listTools, { ...deleteNote, id: 2 }];
    assertChallenge(refusal(await request({ Authorization: `Bearer ${readToken}` }, { body: batch })), 403, 'insufficient_scope');
    assert.ok((await request({ Authorization: `Bearer ${writeToken}` }, { body: batch })).identity);
  });

  it('adds requiredScopes given with the request', async () => {
    const result = await guard.check({ url: '/mcp', headers: new Headers({ Authorization: `Bearer ${writeToken}` }), requiredScopes: ['admin'] });
    assert.equal(assertChallenge(refusal(result), 403, 'insufficient_scope')['scope'], 'admin read');
  });

  it('answers 503 without a challenge when the token cannot be checked', async () => {
    const down = createBearerGuard({
      verifier: createJwtVerifier({ issuer: issuer.server.url, audience: RESOURCE_A, jwksUri: 'http://127.0.0.1:9/jwks' }),
      resource: RESOURCE_A,
    });
    const response = refusal(await down.check({ url: '/mcp', headers: new Headers({ Authorization: `Bearer ${readToken}` }) }));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('www-authenticate'), null);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('tells onRefusal why, never with the token', () => {
    assert.ok(refusals.length > 0);
    for (const r of refusals) {
      assert.ok(!(r.detail ?? '').includes(readToken.split('.')[2]!));
      assert.ok(!JSON.stringify(r).includes(readToken));
    }
    assert.ok(refusals.some((r) => r.error === 'insufficient_scope' && r.detail === 'missing write'));
  });

  it('with challengeScopes, names them in every 401 challenge, and the call’s own scopes in a 403', async () => {
    const verifier = createJwtVerifier({ issuer: issuer.server.url, audience: RESOURCE_A, jwksUri: issuer.as.jwks_uri });
    const allScopes = createBearerGuard({
      verifier,
      resource: RESOURCE_A,
      scopePolicy: parseScopePolicy({ required: ['read'], methods: { 'resources/read': ['admin'] }, tools: { delete_note: ['write'] } }),
      challengeScopes: ['write', 'read', 'admin'],
    });
    const check = (headers: Record<string, string>, body: unknown) => allScopes.check({ url: '/mcp', headers: new Headers(headers), body });
    assert.equal(assertChallenge(refusal(await check({}, listTools)), 401, undefined)['scope'], 'admin read write');
    assert.equal(assertChallenge(refusal(await check({ Authorization: 'Bearer not.a.token' }, listTools)), 401, 'invalid_token')['scope'], 'admin read write');
    assert.equal(assertChallenge(refusal(await check({ Authorization: `Bearer ${readToken}` }, deleteNote)), 403, 'insufficient_scope')['scope'], 'read write');
  });
});
