import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PORTCULLIS_VERSION } from '../../src/core/version.js';

describe('PORTCULLIS_VERSION', () => {
  it('is the version in package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(PORTCULLIS_VERSION, manifest.version);
  });
});
