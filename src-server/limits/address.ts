// Which part of a client's address a limit counts. An IPv4 address is one client (or one NAT: the per-
// address limits are generous for that). One IPv6 host may use any address of its /64, and one site gets a
// /48: counting single IPv6 addresses would let one visitor count as millions.
import { isIPv4, isIPv6 } from 'node:net';

/** The 8 groups of an IPv6 address (without a zone), or null. */
function groups(address: string): number[] | null {
  const ip = address.split('%')[0]!;
  if (!isIPv6(ip)) return null;
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -v4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16));
  return all.length === 8 && all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : null;
}

/** The key a per-address limit counts under: an IPv4 address as it is (also when IPv4-mapped), an IPv6
 *  address by its first `prefix` bits (48 or 64), e.g. "2001:db8:7::/48". */
export function addressKey(address: string, prefix: 48 | 64): string {
  if (isIPv4(address)) return address;
  const g = groups(address);
  if (!g) return address;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
  return `${g
    .slice(0, prefix / 16)
    .map((x) => x.toString(16))
    .join(':')}::/${prefix}`;
}
