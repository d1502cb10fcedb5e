import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metadataDocumentRefusal } from '../../../src/server/clients/client-metadata-document-refusal.js';

describe('refusing a client metadata document', () => {
  it('is invalid_client (401), with the detail kept out of the public body', () => {
    const error = metadataDocumentRefusal('The client metadata document could not be fetched.', 'status: 500');
    assert.equal(error.code, 'invalid_client');
    assert.equal(error.status, 401);
    assert.equal(error.detail, 'status: 500');
    assert.equal(JSON.stringify(error.toJSON()).includes('status: 500'), false);
  });
});
