// IP addresses and CIDR subnets as Go's net package parses and compares them (ParseIP,
// ParseCIDR, IPNet.Contains), for the CLI-side checks of `network create`.
import { isIPv4, isIPv6 } from 'node:net';

/** An address as bytes: 4 for IPv4 (and IPv4-mapped IPv6), 16 for IPv6. */
export function ipBytes(text: string): Uint8Array | undefined {
  if (text.includes('%')) return undefined;
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (!isIPv6(text)) return undefined;
  let head = text;
  let v4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    v4 = text.slice(lastColon + 1).split('.').map(Number);
    head = `${text.slice(0, lastColon + 1)}${'0:0'}`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = groups(right);
  const words = right === undefined ? l : [...l, ...new Array(8 - l.length - r.length).fill(0), ...r];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  if (v4.length) bytes.set(v4, 12);
  // IPv4-mapped (::ffff:a.b.c.d) is IPv4 to Go's To4
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  return bytes;
}

export interface IPNet {
  ip: Uint8Array;
  prefix: number;
}

/** net.ParseCIDR; throws Go's "invalid CIDR address: X". */
export function parseCIDR(text: string): IPNet {
  const slash = text.indexOf('/');
  const fail = () => new Error(`invalid CIDR address: ${text}`);
  if (slash < 0) throw fail();
  const addr = text.slice(0, slash);
  const mask = text.slice(slash + 1);
  const bytes = ipBytes(addr);
  if (!bytes || !/^\d+$/.test(mask)) throw fail();
  const bits = isIPv4(addr) ? 32 : 128;
  const prefix = Number(mask);
  if (prefix > bits) throw fail();
  // an IPv4 address written as IPv6 keeps IPv6 width for its mask, as in Go
  const ip = bits === 128 && bytes.length === 4 ? Uint8Array.from([...new Array(10).fill(0), 0xff, 0xff, ...bytes]) : bytes;
  return { ip, prefix };
}

/** IPNet.Contains. */
export function netContains(net: IPNet, ip: Uint8Array): boolean {
  let network = net.ip;
  let prefix = net.prefix;
  if (network.length === 16 && ip.length === 4 && network.slice(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff))) {
    // a v4-in-v6 network compares as IPv4 (Go's To4 of the network address)
    if (prefix < 96) return false;
    network = network.slice(12);
    prefix -= 96;
  }
  if (network.length !== ip.length) return false;
  for (let i = 0; i < ip.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, prefix - 8 * i));
    const mask = bitsHere === 0 ? 0 : (0xff << (8 - bitsHere)) & 0xff;
    if ((network[i] & mask) !== (ip[i] & mask)) return false;
  }
  return true;
}
