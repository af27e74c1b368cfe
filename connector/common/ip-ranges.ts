// Classifies IP addresses into the ranges an outbound call may not reach by default (SSRF protection).
import { BlockList, isIP } from 'node:net';

/** Why an address is special; `public` means routable on the internet. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'multicast'
  | 'unspecified'
  | 'ipv4-mapped'
  | 'unique-local'
  | 'reserved';

type Range = readonly [string, number];

const RANGES: ReadonlyArray<readonly [Exclude<AddressClass, 'public'>, 'ipv4' | 'ipv6', readonly Range[]]> = [
  ['unspecified', 'ipv4', [['0.0.0.0', 8]]],
  ['loopback', 'ipv4', [['127.0.0.0', 8]]],
  ['private', 'ipv4', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10]]],
  ['link-local', 'ipv4', [['169.254.0.0', 16]]],
  ['multicast', 'ipv4', [['224.0.0.0', 4]]],
  [
    'reserved',
    'ipv4',
    [
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['240.0.0.0', 4],
    ],
  ],
  ['unspecified', 'ipv6', [['::', 128]]],
  ['loopback', 'ipv6', [['::1', 128]]],
  ['ipv4-mapped', 'ipv6', [['::ffff:0:0', 96], ['::', 96]]],
  ['unique-local', 'ipv6', [['fc00::', 7]]],
  ['link-local', 'ipv6', [['fe80::', 10], ['fec0::', 10]]],
  ['multicast', 'ipv6', [['ff00::', 8]]],
  ['reserved', 'ipv6', [['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['2002::', 16], ['2001::', 32]]],
];

const LISTS: ReadonlyArray<readonly [Exclude<AddressClass, 'public'>, 'ipv4' | 'ipv6', BlockList]> = RANGES.map(
  ([cls, family, ranges]) => {
    const list = new BlockList();
    for (const [net, prefix] of ranges) list.addSubnet(net, prefix, family);
    return [cls, family, list] as const;
  },
);

/** The class of `address` (an IPv4 or IPv6 literal, without brackets); throws if it is not an IP literal. */
export function classifyAddress(address: string): AddressClass {
  const version = isIP(address);
  if (version === 0) throw new Error(`not an IP address: ${address}`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  // BlockList matches IPv4 rules against IPv4-mapped IPv6 input; check the IPv6 lists first for v6 literals.
  for (const [cls, listFamily, list] of LISTS) {
    if (listFamily === family && list.check(address, family)) return cls;
  }
  return 'public';
}

/** Strips the brackets of an IPv6 URL host (`[::1]` → `::1`). */
export function unbracketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
