/** Assertions on what the client library refuses, by its `ClientAuthError` code. */
import assert from 'node:assert/strict';
import { ClientAuthError, type ClientAuthErrorCode } from '../../src/client/index.js';

/** For `assert.rejects` and `assert.throws`: the error is a `ClientAuthError` with `code`. */
export function refusedWith(code: ClientAuthErrorCode) {
  return (error: unknown) => {
    assert.ok(error instanceof ClientAuthError, `expected ClientAuthError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}
