import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKind, isLoopbackAddress, isPrivateAddress } from '../../src/core/ip-address.js';

describe('addresses a server-side fetch must never reach (CIMD draft §8.6)', () => {
  it('refuses private, loopback, link-local and other special-use addresses, and what is not an IP', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.1.1',
      '0.0.0.0',
      '224.0.0.1',
      '192.88.99.1',
      '192.0.2.1',
      '::1',
      '::',
      '[::1]',
      '::ffff:192.168.0.1',
      '::127.0.0.1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '64:ff9b::a00:1',
      '2002:a00:1::',
      '2001::1',
      '2001:db8::1',
      'localhost',
      'not an address',
    ]) {
      assert.equal(isPrivateAddress(address), true, address);
    }
  });

  it('allows public unicast addresses', () => {
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1', '[2606:4700::1]', '2a00:1450:4001::200e']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  it("knows this machine's loopback addresses", () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::ffff:127.0.0.1', '::1']) assert.equal(isLoopbackAddress(address), true, address);
    for (const address of ['10.0.0.5', '128.0.0.1', '::2', '::ffff:10.0.0.1']) assert.equal(isLoopbackAddress(address), false, address);
  });
});

describe('addressKind', () => {
  it('sorts addresses the way a client deciding where a server may send it needs', () => {
    const cases: [string, string][] = [
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fd00:ec2::254', 'link-local'],
      ['[fd00:ec2::254]', 'link-local'],
      ['::ffff:169.254.169.254', 'link-local'],
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['fd12:3456::1', 'private'],
      ['::ffff:10.0.0.1', 'private'],
      ['0.0.0.0', 'special'],
      ['224.0.0.1', 'special'],
      ['192.0.2.1', 'special'],
      ['2001:db8::1', 'special'],
      ['not an address', 'special'],
      ['93.184.216.34', 'public'],
      ['172.32.0.1', 'public'],
      ['2606:4700::1111', 'public'],
    ];
    for (const [address, kind] of cases) assert.equal(addressKind(address), kind, address);
  });
});
