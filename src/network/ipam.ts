// Address management: the subnets networks get, and the addresses containers get in them.
import { readFileSync } from 'node:fs';
import { ApiError, badParameter } from '../common/errors.js';
import { formatIPv4, formatSubnet, parseSubnet, subnetContains, subnetSize, subnetsOverlap, type Subnet } from './ipv4.js';

/** A base range cut into subnets of one size (dockerd's --default-address-pool base=…,size=…). */
export interface AddressPool {
  base: Subnet;
  size: number;
}

/** dockerd's defaults: 172.17–31.0.0/16, then 192.168.0.0/16 in /20s. */
export const DEFAULT_ADDRESS_POOLS: AddressPool[] = [
  ['172.17.0.0/16', 16],
  ['172.18.0.0/15', 16],
  ['172.20.0.0/14', 16],
  ['172.24.0.0/13', 16],
  ['192.168.0.0/16', 20],
].map(([base, size]) => ({ base: parseSubnet(base as string)!, size: size as number }));

/** `base=10.10.0.0/16,size=24`, as dockerd's flag takes it. */
export function parseAddressPool(text: string): AddressPool {
  const fields = new Map(text.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const base = parseSubnet(fields.get('base') ?? '');
  const size = Number(fields.get('size'));
  if (!base || !Number.isInteger(size) || size < base.prefix || size > 30) throw badParameter(`invalid default address pool: ${text}`);
  return { base, size };
}

/** The IPv4 routes of the host (`/proc/net/route`), which a new subnet must not shadow. */
export function hostRoutes(): Subnet[] {
  let text = '';
  try {
    text = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return [];
  }
  const routes: Subnet[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const destination = littleEndianHex(fields[1]);
    const maskValue = littleEndianHex(fields[7]);
    if (maskValue === 0) continue; // the default route shadows nothing
    const prefix = 32 - Math.log2(2 ** 32 - maskValue);
    if (Number.isInteger(prefix)) routes.push({ base: destination, prefix });
  }
  return routes;
}

function littleEndianHex(hex: string): number {
  const value = parseInt(hex, 16);
  return (((value & 255) << 24) | (((value >>> 8) & 255) << 16) | (((value >>> 16) & 255) << 8) | (value >>> 24)) >>> 0;
}

/** The first subnet of the pools that overlaps none in use (other networks, host routes). */
export function pickSubnet(pools: AddressPool[], inUse: Subnet[]): Subnet {
  for (const pool of pools) {
    const step = 2 ** (32 - pool.size);
    for (let base = pool.base.base; base < pool.base.base + subnetSize(pool.base); base += step) {
      const candidate = { base, prefix: pool.size };
      if (!inUse.some((s) => subnetsOverlap(s, candidate))) return candidate;
    }
  }
  throw new ApiError(500, 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}

/**
 * The addresses of one network: the gateway, the containers' addresses, and the
 * range new ones come from. In memory only: rebuilt from the containers' records.
 */
export class AddressSpace {
  private readonly used = new Set<number>();
  private readonly range: Subnet;

  constructor(
    readonly subnet: Subnet,
    readonly gateway: number,
    ipRange?: Subnet,
  ) {
    this.range = ipRange ?? subnet;
    this.used.add(gateway);
  }

  /** A specific address (--ip), or the first free one of the range. */
  allocate(requested?: number): number {
    if (requested !== undefined) {
      if (!subnetContains(this.subnet, requested)) throw badParameter(`no configured subnet or ip-range contain the IP address ${formatIPv4(requested)}`);
      if (this.used.has(requested)) throw new ApiError(500, `Address already in use`);
      this.used.add(requested);
      return requested;
    }
    const first = this.range.base + (this.range.base === this.subnet.base ? 1 : 0);
    const last = this.range.base + subnetSize(this.range) - 1;
    const broadcast = this.subnet.base + subnetSize(this.subnet) - 1;
    for (let address = first; address <= last; address++) {
      if (address === broadcast || this.used.has(address)) continue;
      this.used.add(address);
      return address;
    }
    throw new ApiError(500, `no available IPv4 addresses on this network's address pools: ${formatSubnet(this.subnet)}`);
  }

  /** Marks an address taken (live restore of a running container). */
  reserve(address: number): void {
    this.used.add(address);
  }

  release(address: number): void {
    if (address !== this.gateway) this.used.delete(address);
  }
}
