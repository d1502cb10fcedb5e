import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constantTimeEqual } from '../../src/core/constant-time.js';

test('equal secrets compare equal, as strings and as bytes', () => {
  assert.equal(constantTimeEqual('s3cret-value', 's3cret-value'), true);
  assert.equal(constantTimeEqual(Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
});

test('a secret differing in one byte, or a prefix of it, does not (and unequal lengths do not throw)', () => {
  assert.equal(constantTimeEqual('s3cret-value', 's3cret-valuf'), false);
  assert.equal(constantTimeEqual('s3cret-value', 's3cret'), false);
  assert.equal(constantTimeEqual('', 'x'), false);
  assert.equal(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4])), false);
});

test('non-ASCII strings are compared by their UTF-8 bytes', () => {
  assert.equal(constantTimeEqual('é', 'é'), true);
  assert.equal(constantTimeEqual('é', 'e\u0301'), false);
});
