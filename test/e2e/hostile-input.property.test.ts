import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { startTestServer, type TestServer } from '../support/server.js';

const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'invalid_redirect_uri',
  'invalid_client_metadata',
  'temporarily_unavailable',
]);
const RUNS = Number(process.env['PORTCULLIS_FUZZ_RUNS'] ?? 500);
const REDIRECT_URI = 'http://127.0.0.1:45555/cb';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/** Strings an attacker would try: empty, huge, control characters, injection, near-valid values. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '%00',
    '%',
    '%%',
    '\r\nSet-Cookie: x=y',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    'javascript:alert(1)',
    '../../etc/passwd',
    'a'.repeat(5000),
    '🦄',
    '\uD800',
    'null',
    '[]',
    '{}',
    'S256',
    'plain',
    'code',
    'none',
  ),
  fc.webUrl(),
);
const KNOWN_KEYS = [
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'client_id',
  'client_secret',
  'refresh_token',
  'scope',
  'resource',
  'token',
  'token_type_hint',
  'response_type',
  'code_challenge',
  'code_challenge_method',
  'state',
];
const formKey = fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 12 }));
/** Pairs, so that a key may repeat (RFC 6749 §3.1 forbids it; the server must say so, not crash). */
const formPairs = fc.array(fc.tuple(formKey, hostileString), { maxLength: 8 });
const authorizationHeader = fc.option(
  fc.oneof(
    fc.string(),
    fc.constantFrom('Basic', 'Basic ', 'Basic !!!', 'Bearer x', 'Basic Og==', 'Basic JQ==', 'Basic JTpA'),
    fc.tuple(hostileString, hostileString).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
  ),
  { nil: undefined },
);
const contentType = fc.oneof(
  fc.constant('application/x-www-form-urlencoded'),
  fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=utf-8', ''),
);
const body = fc.oneof(
  formPairs.map((pairs) => new URLSearchParams(pairs).toString()),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string(),
);

function assertNoLeak(text: string) {
  assert.doesNotMatch(text, /\n\s+at [\w.<]+ \(/, 'no stack trace');
  assert.doesNotMatch(text, /node_modules|\/src\//, 'no file paths');
}

describe('hostile input never gets a 5xx or a malformed answer', () => {
  let server: TestServer;
  let clientId: string;

  before(async () => {
    server = await startTestServer({ settings: { registration: { perAddressPerHour: 1_000_000 } } });
    const response = await server.server.app.request('/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
    });
    clientId = ((await response.json()) as { client_id: string }).client_id;
  });
  after(() => server.close());

  async function assertOAuthAnswer(response: Response, success: (json: Record<string, unknown>) => boolean) {
    assert.ok(response.status < 500, `status ${response.status}`);
    const text = await response.text();
    assertNoLeak(text);
    const json = JSON.parse(text) as Record<string, unknown>;
    if (response.status >= 400) {
      assert.ok(OAUTH_ERRORS.has(json['error'] as string), `error code ${String(json['error'])}`);
      assert.equal(typeof json['error_description'], 'string');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      if (response.status === 401) assert.ok(response.headers.get('www-authenticate'));
    } else {
      assert.ok(success(json), `unexpected success body ${text.slice(0, 200)}`);
    }
  }

  for (const path of ['/token', '/revoke', '/introspect']) {
    it(`${path}: random forms, headers, content types and bytes`, async () => {
      await fc.assert(
        fc.asyncProperty(body, contentType, authorizationHeader, async (payload, type, authorization) => {
          const headers: Record<string, string> = { 'Content-Type': type };
          if (authorization !== undefined) headers['Authorization'] = authorization;
          const response = await server.server.app.request(path, { method: 'POST', headers, body: payload });
          await assertOAuthAnswer(response, (json) => (path === '/token' ? typeof json['access_token'] === 'string' : true));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('/token: near-valid requests from a registered client with one field corrupted', async () => {
    const valid = { grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: REDIRECT_URI, code_verifier: VERIFIER, client_id: '' };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(valid), 'refresh_token', 'scope', 'resource'),
        hostileString,
        fc.constantFrom('authorization_code', 'refresh_token'),
        async (key, value, grant) => {
          const form = { ...valid, client_id: clientId, grant_type: grant, refresh_token: 'r'.repeat(43), [key]: value };
          const response = await server.server.app.request('/token', {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form).toString(),
          });
          await assertOAuthAnswer(response, () => false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('/register: random JSON, near-valid metadata with one field corrupted, and raw bytes', async () => {
    const field = fc.constantFrom(
      'redirect_uris',
      'token_endpoint_auth_method',
      'grant_types',
      'response_types',
      'client_name',
      'client_uri',
      'logo_uri',
      'scope',
      'contacts',
      'software_id',
    );
    const payload = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .tuple(field, fc.oneof(fc.jsonValue(), hostileString, fc.array(hostileString, { maxLength: 30 })))
        .map(([key, value]) => JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', [key]: value })),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(payload, fc.oneof(fc.constant('application/json'), contentType), async (data, type) => {
        const response = await server.server.app.request('/register', { method: 'POST', headers: { 'Content-Type': type }, body: data });
        await assertOAuthAnswer(response, (json) => response.status === 201 && typeof json['client_id'] === 'string');
      }),
      { numRuns: RUNS },
    );
  });

  it('/authorize: never a 5xx, never a redirect off the registered redirect URI', async () => {
    const valid = () => ({
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      code_challenge: computeS256Challenge(VERIFIER),
      code_challenge_method: 'S256',
      state: 'st',
      scope: 'mcp',
      resource: `${server.url}/mcp`,
    });
    const request = fc.oneof(
      formPairs.map((pairs) => new URLSearchParams(pairs)),
      fc.tuple(fc.constantFrom(...Object.keys(valid())), hostileString).map(([key, value]) => new URLSearchParams({ ...valid(), [key]: value })),
      fc.tuple(fc.constantFrom(...Object.keys(valid())), hostileString).map(([key, value]) => {
        const params = new URLSearchParams(valid());
        params.append(key, value);
        return params;
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (params, usePost) => {
        const response = usePost
          ? await server.server.app.request('/authorize', {
              method: 'POST',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              body: params.toString(),
            })
          : await server.server.app.request(`/authorize?${params.toString()}`);
        assert.ok([302, 303, 400].includes(response.status), `status ${response.status}`);
        const location = response.headers.get('location');
        if (response.status === 302) {
          const target = new URL(location!);
          assert.equal(`${target.origin}${target.pathname}`, new URL(REDIRECT_URI).href, 'redirects only to the registered redirect URI');
          assert.equal(target.searchParams.get('iss'), server.url);
        } else if (response.status === 303) {
          assert.match(location!, /^\/(login|consent)\?request=/);
        } else {
          assert.equal(location, null, 'an error page never redirects');
          assert.match(response.headers.get('content-type') ?? '', /text\/html/);
          assertNoLeak(await response.text());
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('hostile upstream callbacks never get a 5xx or a redirect', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      settings: {
        federation: { providers: [{ id: 'corp', name: 'Corp', type: 'oidc', issuer: 'http://127.0.0.1:9', clientId: 'portcullis', clientSecret: 'x' }] },
      },
    });
  });
  after(() => server.close());

  it('/federation/:provider/callback: random queries, states, codes, errors and provider ids', async () => {
    const callbackKey = fc.oneof(fc.constantFrom('state', 'code', 'iss', 'error', 'error_description', 'session_state'), fc.string({ maxLength: 12 }));
    const query = fc.array(fc.tuple(callbackKey, hostileString), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs));
    const providerId = fc.oneof(fc.constant('corp'), fc.string({ maxLength: 20 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(providerId, query, async (id, params) => {
        const response = await server.server.app.request(`/federation/${id}/callback?${params.toString()}`);
        assert.ok([400, 404].includes(response.status), `status ${response.status}`);
        assert.equal(response.headers.get('location'), null, 'nothing in an unverified callback is redirected to');
        assertNoLeak(await response.text());
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
  });
});
