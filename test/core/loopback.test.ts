import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost } from '../../src/core/loopback.js';

describe('isLoopbackHost', () => {
  it('accepts localhost, 127.0.0.0/8 and ::1', () => {
    for (const host of ['localhost', 'LocalHost', '127.0.0.1', '127.0.0.0', '127.1.2.3', '127.255.255.255', '[::1]', '::1']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it('refuses every other host, including look-alikes', () => {
    for (const host of [
      '',
      '0.0.0.0',
      '10.0.0.1',
      '128.0.0.1',
      '127.0.0.256',
      '127.0.0',
      '127.0.0.1.example.com',
      'localhost.example.com',
      'example.localhost.com',
      'mylocalhost',
      '[::2]',
      '[::ffff:127.0.0.1]',
      '::',
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
