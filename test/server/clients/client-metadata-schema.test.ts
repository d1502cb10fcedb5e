import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientMetadataIssue, metadataDocumentSchema, registrationMetadataSchema } from '../../../src/server/clients/client-metadata-schema.js';

const minimal = { redirect_uris: ['https://app.example/cb'] };

describe('RFC 7591 §2 client metadata, shared by registration and metadata documents', () => {
  it('applies the RFC 7591 defaults to a registration, and none to a document', () => {
    assert.deepEqual(registrationMetadataSchema.parse(minimal), {
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
    assert.deepEqual(metadataDocumentSchema.parse({ client_id: 'https://app.example/c.json', ...minimal }), {
      client_id: 'https://app.example/c.json',
      ...minimal,
    });
  });

  it('allows confidential clients to register, and only public ones in a document', () => {
    assert.equal(registrationMetadataSchema.safeParse({ ...minimal, token_endpoint_auth_method: 'client_secret_post' }).success, true);
    assert.equal(
      metadataDocumentSchema.safeParse({ client_id: 'https://app.example/c.json', ...minimal, token_endpoint_auth_method: 'client_secret_post' }).success,
      false,
    );
  });

  it('holds both to the same field rules', () => {
    const refused = [
      { redirect_uris: [] },
      { ...minimal, grant_types: ['implicit'] },
      { ...minimal, response_types: ['token'] },
      { ...minimal, logo_uri: 'javascript:alert(1)' },
      { ...minimal, client_uri: 'http://app.example/' },
      { ...minimal, client_name: '' },
      { ...minimal, contacts: Array.from({ length: 11 }, () => 'a@example.com') },
      { redirect_uris: [`https://app.example/${'a'.repeat(2000)}`] },
    ];
    for (const metadata of refused) {
      assert.equal(registrationMetadataSchema.safeParse(metadata).success, false, JSON.stringify(metadata).slice(0, 80));
      assert.equal(
        metadataDocumentSchema.safeParse({ client_id: 'https://app.example/c.json', ...metadata }).success,
        false,
        JSON.stringify(metadata).slice(0, 80),
      );
    }
  });

  it('drops unknown fields', () => {
    assert.equal('jwks_uri' in registrationMetadataSchema.parse({ ...minimal, jwks_uri: 'https://app.example/jwks' }), false);
  });

  it("names the field a refusal is about, apart from zod's message", () => {
    const onField = registrationMetadataSchema.safeParse({ ...minimal, logo_uri: 'javascript:alert(1)' });
    assert.ok(!onField.success);
    assert.equal(clientMetadataIssue(onField.error).field, 'logo_uri');
    const inList = registrationMetadataSchema.safeParse({ redirect_uris: [42] });
    assert.ok(!inList.success);
    assert.equal(clientMetadataIssue(inList.error).field, 'redirect_uris');
    const notAnObject = registrationMetadataSchema.safeParse([minimal]);
    assert.ok(!notAnObject.success);
    assert.equal(clientMetadataIssue(notAnObject.error).field, undefined);
    assert.notEqual(clientMetadataIssue(notAnObject.error).message, '');
  });
});
