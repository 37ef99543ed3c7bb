// berth network create: docker's flags, its client-side IPAM checks (subnets, ranges,
// gateways and aux addresses consolidated per subnet) and its request.
import type { IPAMConfig, NetworkCreateRequest } from '../../../api/types.js';
import { boolFlag, listFlag, stringFlag, type Command } from '../../command.js';
import type { FlagSpec, Flags } from '../../flags.js';
import { labelsMap } from '../../util/container-opts.js';
import { ipBytes, netContains, parseCIDR } from '../../util/ipnet.js';
import { readCsvRecord } from '../../util/network-opts.js';

/** pflag's StringSlice: each value read as one CSV record. */
export const stringsFlag = (long: string, short: string | undefined, usage: string): FlagSpec => ({
  ...listFlag(long, short, usage, 'strings'),
  validate: (v) => void (v === '' ? [] : readCsvRecord(v)),
});

export function stringsValues(flags: Flags, long: string): string[] {
  return flags.list(long).flatMap((v) => (v === '' ? [] : readCsvRecord(v)));
}

/** docker's MapOpts: KEY=VALUE (a bare KEY is KEY=""), later values win. */
export const mapFlag = (long: string, short: string | undefined, usage: string): FlagSpec => ({ ...listFlag(long, short, usage, 'map'), defaultText: 'map[]' });

export function mapValues(flags: Flags, long: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of flags.list(long)) {
    const eq = v.indexOf('=');
    out[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

/** opts.ValidateLabel. */
export function validateLabel(value: string): void {
  const eq = value.indexOf('=');
  const key = (eq < 0 ? value : value.slice(0, eq)).trim();
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
}

/** createIPAMConfig's subnetMatches: whether `data` (an address or a CIDR) lies in `subnet`. */
function subnetMatches(subnet: string, data: string): boolean {
  let net;
  try {
    net = parseCIDR(subnet);
  } catch (err) {
    throw new Error(`invalid subnet: ${(err as Error).message}`);
  }
  const ip = data.includes('/') ? parseCIDR(data).ip : ipBytes(data);
  return ip !== undefined && netContains(net, ip);
}

export interface IpamInput {
  subnets: string[];
  ipRanges: string[];
  gateways: string[];
  auxAddresses: Record<string, string>;
}

/**
 * Consolidates the IPAM flags into one config per subnet, with docker's checks: no
 * overlapping subnets, every range, gateway and aux address inside one, one range and one
 * gateway per subnet. The daemon validates the addresses themselves.
 */
export function createIpamConfig(input: IpamInput): IPAMConfig[] {
  const { subnets, ipRanges, gateways, auxAddresses } = input;
  if (subnets.length < ipRanges.length || subnets.length < gateways.length) throw new Error('every ip-range or gateway must have a corresponding subnet');
  const configs = new Map<string, IPAMConfig & { AuxiliaryAddresses: Record<string, string> }>();
  for (const s of subnets) {
    for (const k of configs.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    configs.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }
  for (const r of ipRanges) {
    parseCIDR(r);
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, r)) continue;
      const config = configs.get(s)!;
      if (config.IPRange) throw new Error(`cannot configure multiple ranges (${r}, ${config.IPRange}) on the same subnet (${s})`);
      config.IPRange = r;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for range ${r}`);
  }
  for (const g of gateways) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, g)) continue;
      const config = configs.get(s)!;
      if (config.Gateway) throw new Error(`cannot configure multiple gateways (${g}, ${config.Gateway}) for the same subnet (${s})`);
      config.Gateway = g;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for gateway ${g}`);
  }
  for (const [key, address] of Object.entries(auxAddresses)) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, address)) continue;
      configs.get(s)!.AuxiliaryAddresses[key] = address;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${address}`);
  }
  // the API leaves out an empty AuxiliaryAddresses (omitempty)
  return [...configs.values()].map(({ AuxiliaryAddresses, ...config }) => (Object.keys(AuxiliaryAddresses).length ? { ...config, AuxiliaryAddresses } : config));
}

/** The POST /networks/create body docker sends for these flags. */
export function buildNetworkCreateRequest(name: string, flags: Flags): NetworkCreateRequest & { Scope: string; ConfigOnly: boolean; ConfigFrom: { Network: string } | null } {
  const config = createIpamConfig({
    subnets: stringsValues(flags, 'subnet'),
    ipRanges: stringsValues(flags, 'ip-range'),
    gateways: stringsValues(flags, 'gateway'),
    auxAddresses: mapValues(flags, 'aux-address'),
  });
  const configFrom = flags.string('config-from');
  return {
    Name: name,
    CheckDuplicate: true,
    Driver: flags.string('driver'),
    Scope: flags.string('scope'),
    ...(flags.changed('ipv6') ? { EnableIPv6: flags.bool('ipv6') } : {}),
    IPAM: { Driver: flags.string('ipam-driver'), Options: mapValues(flags, 'ipam-opt'), Config: config },
    Internal: flags.bool('internal'),
    Attachable: flags.bool('attachable'),
    Ingress: flags.bool('ingress'),
    ConfigOnly: flags.bool('config-only'),
    ConfigFrom: configFrom ? { Network: configFrom } : null,
    Options: mapValues(flags, 'opt'),
    Labels: labelsMap(flags.list('label')),
  };
}

export const networkCreateCommand: Command = {
  name: 'create',
  use: '[OPTIONS] NETWORK',
  short: 'Create a network',
  flags: [
    boolFlag('attachable', undefined, 'Enable manual container attachment'),
    mapFlag('aux-address', undefined, 'Auxiliary IPv4 or IPv6 addresses used by Network driver'),
    stringFlag('config-from', undefined, 'The network from which to copy the configuration'),
    boolFlag('config-only', undefined, 'Create a configuration only network'),
    stringFlag('driver', 'd', 'Driver to manage the Network', 'bridge'),
    stringsFlag('gateway', undefined, 'IPv4 or IPv6 Gateway for the master subnet'),
    boolFlag('ingress', undefined, 'Create swarm routing-mesh network'),
    boolFlag('internal', undefined, 'Restrict external access to the network'),
    stringsFlag('ip-range', undefined, 'Allocate container ip from a sub-range'),
    stringFlag('ipam-driver', undefined, 'IP Address Management Driver', 'default'),
    mapFlag('ipam-opt', undefined, 'Set IPAM driver specific options'),
    boolFlag('ipv6', undefined, 'Enable or disable IPv6 address assignment'),
    { ...listFlag('label', undefined, 'Set metadata on a network'), validate: validateLabel },
    mapFlag('opt', 'o', 'Set driver specific options'),
    stringFlag('scope', undefined, "Control the network's scope"),
    stringsFlag('subnet', undefined, 'Subnet in CIDR format that represents a network segment'),
  ],
  args: { exact: 1 },
  async run(cli, flags, [name]) {
    const response = await cli.client().networkCreate(buildNetworkCreateRequest(name, flags));
    cli.out.write(`${response.Id}\n`);
  },
};
