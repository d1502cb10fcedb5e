import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { computeS256Challenge, isValidCodeChallenge, isValidCodeVerifier, verifyPkce } from '../../src/core/pkce.js';

/** RFC 7636 Appendix B. */
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/** A verifier of `length` unreserved characters. */
const verifierOf = (length: number, fill = 'a') => fill.repeat(length);

describe('PKCE S256 (RFC 7636)', () => {
  it('computes the Appendix B challenge from the Appendix B verifier', () => {
    assert.equal(computeS256Challenge(RFC_VERIFIER), RFC_CHALLENGE);
  });

  it('verifies the Appendix B pair', () => {
    assert.equal(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE), true);
  });

  it('refuses a wrong verifier of valid form', () => {
    const wrong = `${RFC_VERIFIER.slice(0, -1)}Y`;
    assert.equal(isValidCodeVerifier(wrong), true);
    assert.equal(verifyPkce(wrong, RFC_CHALLENGE), false);
  });

  it('refuses the plain method: the verifier itself as challenge', () => {
    assert.equal(verifyPkce(RFC_VERIFIER, RFC_VERIFIER), false);
  });

  it('accepts verifiers of exactly 43 and 128 characters', () => {
    for (const length of [43, 128]) {
      const verifier = verifierOf(length);
      assert.equal(isValidCodeVerifier(verifier), true, `length ${length}`);
      assert.equal(verifyPkce(verifier, computeS256Challenge(verifier)), true, `length ${length}`);
    }
  });

  it('refuses verifiers of 42 and 129 characters even with their own challenge (RFC 7636 §4.1)', () => {
    for (const length of [42, 129]) {
      const verifier = verifierOf(length);
      assert.equal(isValidCodeVerifier(verifier), false, `length ${length}`);
      assert.equal(verifyPkce(verifier, computeS256Challenge(verifier)), false, `length ${length}`);
    }
  });

  it('accepts every unreserved character: ALPHA / DIGIT / "-" / "." / "_" / "~"', () => {
    const verifier = 'ABCXYZabcxyz0189-._~'.padEnd(43, 'q');
    assert.equal(isValidCodeVerifier(verifier), true);
    assert.equal(verifyPkce(verifier, computeS256Challenge(verifier)), true);
  });

  it('refuses verifiers with characters outside the unreserved set, even with their own challenge', () => {
    for (const bad of ['+', '/', '=', ' ', '%', '!', '*', 'é', '\n', '\0']) {
      const verifier = `${bad}${verifierOf(42)}`;
      assert.equal(isValidCodeVerifier(verifier), false, JSON.stringify(bad));
      assert.equal(verifyPkce(verifier, computeS256Challenge(verifier)), false, JSON.stringify(bad));
    }
  });

  it('refuses an empty verifier and an empty challenge', () => {
    assert.equal(verifyPkce('', RFC_CHALLENGE), false);
    assert.equal(verifyPkce(RFC_VERIFIER, ''), false);
  });

  it('refuses challenges of 42 and 44 characters', () => {
    assert.equal(isValidCodeChallenge(RFC_CHALLENGE.slice(0, 42)), false);
    assert.equal(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE.slice(0, 42)), false);
    assert.equal(isValidCodeChallenge(`${RFC_CHALLENGE}A`), false);
    assert.equal(verifyPkce(RFC_VERIFIER, `${RFC_CHALLENGE}A`), false);
  });

  it('refuses a padded challenge ("=")', () => {
    const padded = `${RFC_CHALLENGE}=`;
    assert.equal(isValidCodeChallenge(padded), false);
    assert.equal(verifyPkce(RFC_VERIFIER, padded), false);
    const paddedInside = `${RFC_CHALLENGE.slice(0, 42)}=`;
    assert.equal(isValidCodeChallenge(paddedInside), false);
    assert.equal(verifyPkce(RFC_VERIFIER, paddedInside), false);
  });

  it('refuses the right digest in standard base64 ("+" and "/"), which is not base64url', () => {
    // Find verifiers whose base64url challenge contains "-" and "_", so the standard-base64
    // spelling of the same digest differs only by "+" and "/".
    const find = (char: '-' | '_') => {
      for (let i = 0; ; i++) {
        const verifier = `${verifierOf(40)}${String(i).padStart(3, '0')}`;
        if (computeS256Challenge(verifier).includes(char)) return verifier;
      }
    };
    for (const [char, standard] of [
      ['-', '+'],
      ['_', '/'],
    ] as const) {
      const verifier = find(char);
      const base64 = createHash('sha256').update(verifier, 'ascii').digest('base64').replace(/=+$/, '');
      assert.ok(base64.includes(standard));
      assert.equal(base64.length, 43);
      assert.equal(isValidCodeChallenge(base64), false);
      assert.equal(verifyPkce(verifier, base64), false);
      // The same verifier does verify against the base64url spelling.
      assert.equal(verifyPkce(verifier, computeS256Challenge(verifier)), true);
    }
  });

  it('refuses a challenge that differs in one character', () => {
    const last = RFC_CHALLENGE.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(verifyPkce(RFC_VERIFIER, `${RFC_CHALLENGE.slice(0, 42)}${last}`), false);
  });
});
