import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuthorizationServer, createAuthorizationServer } from '../../../src/server/app.js';
import { TEST_SECRET } from '../../support/server.js';
import { sqliteStoreForSuite } from '../../support/suite-store.js';

/**
 * A refused registration names the field in our own words (STYLE.md: never echo a validator's
 * raw output); the codes are those of RFC 7591 §3.2.2.
 */
describe('registration refusals (RFC 7591 §3.2.2)', () => {
  const suite = sqliteStoreForSuite();
  let server: AuthorizationServer | undefined;
  const register = async (body: unknown) => {
    server ??= await createAuthorizationServer({
      settings: { issuer: 'http://127.0.0.1:9' },
      store: suite.store,
      secrets: [TEST_SECRET],
      sweepIntervalMs: false,
    });
    const response = await server.fetch(
      new Request('http://127.0.0.1:9/register', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    );
    return { status: response.status, body: (await response.json()) as { error: string; error_description: string } };
  };

  const cases: [string, unknown, string, string][] = [
    ['an empty redirect_uris', { redirect_uris: [] }, 'invalid_redirect_uri', 'redirect_uris'],
    ['a javascript: logo_uri', { redirect_uris: ['https://app.example/cb'], logo_uri: 'javascript:alert(1)' }, 'invalid_client_metadata', 'logo_uri'],
    [
      'an unknown auth method',
      { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'private_key_jwt' },
      'invalid_client_metadata',
      'token_endpoint_auth_method',
    ],
    ['a body that is no object', ['https://app.example/cb'], 'invalid_client_metadata', 'JSON object'],
  ];
  for (const [name, body, code, named] of cases) {
    it(`refuses ${name} with ${code}, naming it without zod's words`, async () => {
      const refused = await register(body);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, code);
      assert.ok(refused.body.error_description.includes(named), refused.body.error_description);
      for (const zodWord of ['Invalid', 'Too small', 'expected', 'must be an https URL']) {
        assert.ok(!refused.body.error_description.includes(zodWord), refused.body.error_description);
      }
    });
  }
});
