import { BlockList, isIP } from 'node:net';

/*
 * Addresses a server-side fetch must never reach (SSRF protection for Client ID Metadata
 * Documents; draft-ietf-oauth-client-id-metadata-document-02 §8.6): loopback, private,
 * link-local, shared (CGNAT), documentation, benchmarking, multicast, reserved, unspecified, the
 * other special-use ranges of RFC 6890 (IETF protocol assignments incl. Teredo and ORCHID, the
 * 6to4 relay anycast), and IPv6 forms that embed IPv4 (mapped, IPv4-compatible, NAT64, 6to4).
 */
// Two lists: Node matches IPv4 addresses against IPv6 rules through their mapped form, so a
// single list holding ::ffff:0:0/96 would block every IPv4 address.
const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blockedV4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blockedV6.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, brackets allowed) is not a public unicast address; true for what is not an IP address. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return true;
  return family === 4 ? blockedV4.check(bare, 'ipv4') : blockedV6.check(bare, 'ipv6');
}

/** Whether an IP address is this machine's loopback: 127.0.0.0/8 (IPv4-mapped too) or ::1. */
export function isLoopbackAddress(address: string): boolean {
  return /^(?:::ffff:)?127\./i.test(address) || address === '::1';
}

/**
 * What kind of address an IP address is, for a client deciding whether a server may send it
 * there: `link-local` (169.254.0.0/16, fe80::/10, where cloud metadata services answer, e.g.
 * 169.254.169.254 and fd00:ec2::254), `loopback`, `private` (10/8, 172.16/12, 192.168/16,
 * fc00::/7, CGNAT 100.64/10), `special` (any other address {@link isPrivateAddress} refuses), or
 * `public`. Not an IP address: `special`.
 * @see RFC 6890; RFC 1918; RFC 4193; RFC 3927; RFC 6598
 */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'special';

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');
// The AWS IMDS IPv6 address lies in fc00::/7; it is a metadata service, so it is link-local here.
linkLocal.addAddress('fd00:ec2::254', 'ipv6');
const privateV4 = new BlockList();
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  privateV4.addSubnet(network, prefix, 'ipv4');
const privateV6 = new BlockList();
privateV6.addSubnet('fc00::', 7, 'ipv6');

export function addressKind(address: string): AddressKind {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  const ip = mapped ?? bare;
  const family = isIP(ip);
  if (family === 0) return 'special';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (linkLocal.check(ip, type)) return 'link-local';
  if (isLoopbackAddress(ip)) return 'loopback';
  if (family === 4 ? privateV4.check(ip, 'ipv4') : privateV6.check(ip, 'ipv6')) return 'private';
  return isPrivateAddress(ip) ? 'special' : 'public';
}
