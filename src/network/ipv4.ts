// IPv4 addresses and subnets as numbers: parsing, formatting and the arithmetic IPAM needs.
import { badParameter } from '../common/errors.js';

export interface Subnet {
  /** The network address (host bits zero). */
  base: number;
  prefix: number;
}

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** An address given by a user: Docker's error when it is not one. */
export function requireIPv4(text: string, what = 'IP address'): number {
  const value = parseIPv4(text);
  if (value === undefined) throw badParameter(`invalid ${what}: ${text}`);
  return value;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `a.b.c.d/n`, normalised to its network address; undefined when malformed. */
export function parseSubnet(text: string): Subnet | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIPv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) return undefined;
  const prefix = Number(prefixText);
  return { base: (address & mask(prefix)) >>> 0, prefix };
}

/** As dockerd words a malformed CIDR. */
export function requireSubnet(text: string): Subnet {
  const subnet = parseSubnet(text);
  if (!subnet) throw badParameter(`invalid CIDR address: ${text}`);
  return subnet;
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIPv4(subnet.base)}/${subnet.prefix}`;
}

export function subnetSize(subnet: Subnet): number {
  return 2 ** (32 - subnet.prefix);
}

export function subnetContains(subnet: Subnet, address: number): boolean {
  return ((address & mask(subnet.prefix)) >>> 0) === subnet.base;
}

export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  return subnetContains(a, b.base) || subnetContains(b, a.base);
}

/** Docker's MAC for an address: 02:42 followed by the four address bytes. */
export function macForAddress(address: number): string {
  const bytes = [0x02, 0x42, address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
