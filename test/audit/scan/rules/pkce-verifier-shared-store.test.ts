import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PKCE_VERIFIER_SHARED_STORE } from '../../../../src/audit/scan/rules/pkce-verifier-shared-store.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('pkce-verifier-shared-store', () => {
  it('finds verifiers kept in state shared by every request on servers and stays silent on the traps', () => {
    assertFixtures(PKCE_VERIFIER_SHARED_STORE, new URL('./fixtures/pkce-verifier-shared-store/', import.meta.url));
  });

  it('names the variable or store that holds the verifier', () => {
    const file = parseSourceFile(
      'src/login.ts',
      [
        "import express from 'express';",
        "import { generateRandomCodeVerifier } from 'oauth4webapi';",
        'let pkceVerifier = "";',
        'const byClient = new Map();',
        "express().get('/login', (req, res) => {",
        '  pkceVerifier = generateRandomCodeVerifier();',
        '  byClient.set(req.query.client_id, { pkceVerifier });',
        '});',
      ].join('\n'),
    );
    const messages = [...PKCE_VERIFIER_SHARED_STORE.find(file)].map((match) => match.message);
    assert.equal(messages.length, 2);
    assert.match(messages[0]!, /^pkceVerifier outlives the request/);
    assert.match(messages[1]!, /^byClient: a store that outlives the request, keyed by/);
  });
});
