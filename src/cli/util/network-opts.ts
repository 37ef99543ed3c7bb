// The networking flags of run/create as the docker CLI reads them: --network (name, or the long
// syntax name=...,alias=...,driver-opt=...), --network-alias, --link, --ip, --ip6,
// --link-local-ip, --mac-address, and the EndpointsConfig they make (parseNetworkOpts).
import type { EndpointConfig } from '../../api/types.js';

/** encoding/csv's Reader.Read for one line: fields split at commas, "quoted" fields with "" escapes. */
export function readCsvRecord(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) throw new Error(`parse error on line 1, column ${line.length + 1}: extraneous or missing " in quoted-field`);
        field += line.slice(j, q);
        if (line[q + 1] === '"') {
          field += '"';
          j = q + 2;
        } else if (q + 1 === line.length || line[q + 1] === ',') {
          j = q + 1;
          break;
        } else throw new Error(`parse error on line 1, column ${q + 2}: extraneous or missing " in quoted-field`);
      }
      fields.push(field);
      i = j;
    } else {
      const comma = line.indexOf(',', i);
      const field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      const quote = field.indexOf('"');
      if (quote >= 0) throw new Error(`parse error on line 1, column ${i + quote + 1}: bare " in non-quoted-field`);
      fields.push(field);
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) break;
    i++; // the comma
    if (i === line.length) {
      fields.push('');
      break;
    }
  }
  return fields;
}

/** One --network value (opts.NetworkAttachmentOpts). */
export interface NetworkAttachment {
  target: string;
  aliases: string[];
  driverOpts?: Record<string, string>;
  links: string[];
  ipv4: string;
  ipv6: string;
  linkLocalIPs: string[];
}

function parseDriverOpt(opt: string): [string, string] {
  const eq = opt.indexOf('=');
  if (eq <= 0) throw new Error('invalid key value pair format in driver options');
  return [opt.slice(0, eq).trim(), opt.slice(eq + 1).trim()];
}

/** opts.NetworkOpt.Set: a name, or name=NET,alias=A,driver-opt=K=V,ip=...,ip6=...,link-local-ip=... */
export function parseNetworkOpt(value: string): NetworkAttachment {
  const attachment: NetworkAttachment = { target: '', aliases: [], links: [], ipv4: '', ipv6: '', linkLocalIPs: [] };
  if (!/\w+=\w+/.test(value)) {
    attachment.target = value;
    return attachment;
  }
  for (const field of readCsvRecord(value)) {
    // the long syntax is case-insensitive, values included (as in docker)
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw new Error(`invalid field ${field}`);
    const key = lower.slice(0, eq).trim();
    const val = lower.slice(eq + 1).trim();
    switch (key) {
      case 'name':
        attachment.target = val;
        break;
      case 'alias':
        attachment.aliases.push(val);
        break;
      case 'ip':
        attachment.ipv4 = val;
        break;
      case 'ip6':
        attachment.ipv6 = val;
        break;
      case 'link-local-ip':
        attachment.linkLocalIPs.push(val);
        break;
      case 'driver-opt': {
        const [k, v] = parseDriverOpt(val);
        (attachment.driverOpts ??= {})[k] = v;
        break;
      }
      default:
        throw new Error(`invalid field key ${key}`);
    }
  }
  if (!attachment.target) throw new Error('network name/id is not specified');
  return attachment;
}

/** net.ParseMAC: 6, 8 or 20 octets as xx:xx.., xx-xx.. or xxxx.xxxx.. */
export function isValidMac(mac: string): boolean {
  const octets = (groups: string[], width: number) => (groups.every((g) => new RegExp(`^[0-9a-fA-F]{${width}}$`).test(g)) ? (groups.length * width) / 2 : 0);
  let count = 0;
  if (mac.length >= 14 && mac[4] === '.') count = octets(mac.split('.'), 4);
  else if (mac.length >= 14 && (mac[2] === ':' || mac[2] === '-')) {
    const groups = mac.split(mac[2]);
    count = octets(groups, 2);
  }
  return count === 6 || count === 8 || count === 20;
}

/** container.NetworkMode.IsUserDefined: not default, bridge, host, none or container:<id>. */
export function isUserDefined(mode: string): boolean {
  if (['default', 'bridge', 'host', 'none'].includes(mode)) return false;
  const colon = mode.indexOf(':');
  return !(colon >= 0 && mode.slice(0, colon) === 'container');
}

/** The plain flags that apply to the first network. */
export interface EndpointFlags {
  aliases: string[];
  links: string[];
  ipv4: string;
  ipv6: string;
  linkLocalIPs: string[];
}

function applyContainerOptions(n: NetworkAttachment, flags: EndpointFlags): void {
  if (n.aliases.length && flags.aliases.length) throw new Error('conflicting options: cannot specify both --network-alias and per-network alias');
  if (n.links.length && flags.links.length) throw new Error('conflicting options: cannot specify both --link and per-network links');
  if (n.ipv4 && flags.ipv4) throw new Error('conflicting options: cannot specify both --ip and per-network IPv4 address');
  if (n.ipv6 && flags.ipv6) throw new Error('conflicting options: cannot specify both --ip6 and per-network IPv6 address');
  if (n.linkLocalIPs.length && flags.linkLocalIPs.length)
    throw new Error('conflicting options: cannot specify both --link-local-ip and per-network link-local IP addresses');
  if (flags.aliases.length) n.aliases = [...flags.aliases];
  // on a user-defined network --link is an endpoint option (an alias); on the default bridge
  // it is a legacy link, which HostConfig.Links alone carries
  if (isUserDefined(n.target) && flags.links.length) n.links = [...flags.links];
  if (flags.ipv4) n.ipv4 = flags.ipv4;
  if (flags.ipv6) n.ipv6 = flags.ipv6;
  if (flags.linkLocalIPs.length) n.linkLocalIPs = [...flags.linkLocalIPs];
}

/** parseNetworkAttachmentOpt: the endpoint settings docker sends, its zero fields included. */
function endpointOf(n: NetworkAttachment): EndpointConfig {
  if (n.target.trim() === '') throw new Error('no name set for network');
  if (!isUserDefined(n.target)) {
    if (n.aliases.length) throw new Error('network-scoped aliases are only supported for user-defined networks');
    if (n.links.length) throw new Error('links are only supported for user-defined networks');
  }
  let ipam: EndpointConfig['IPAMConfig'] = null;
  if (n.ipv4 || n.ipv6 || n.linkLocalIPs.length) {
    ipam = {};
    if (n.ipv4) ipam.IPv4Address = n.ipv4;
    if (n.ipv6) ipam.IPv6Address = n.ipv6;
    if (n.linkLocalIPs.length) ipam.LinkLocalIPs = n.linkLocalIPs;
  }
  return {
    IPAMConfig: ipam,
    Links: n.links.length ? n.links : null,
    Aliases: n.aliases.length ? n.aliases : null,
    MacAddress: '',
    DriverOpts: n.driverOpts && Object.keys(n.driverOpts).length ? n.driverOpts : null,
  };
}

const isEmptyEndpoint = (ep: EndpointConfig) => !ep.IPAMConfig && !ep.Links && !ep.Aliases && !ep.DriverOpts;

/**
 * parseNetworkOpts: one endpoint per --network (the plain flags go to the first), the first
 * left out when it is the only one and has nothing to say; with no --network the plain flags
 * apply to the "default" network. (docker 28 then sends an empty "default" endpoint even when
 * no flag was given; berth sends none there, as docker 20.10 does.) The MAC address is not an
 * endpoint option in API 1.41: it goes in the container config.
 */
export function parseNetworkOpts(networks: NetworkAttachment[], flags: EndpointFlags): Record<string, EndpointConfig> {
  const endpoints: Record<string, EndpointConfig> = {};
  const list = networks.length ? networks.map((n) => ({ ...n })) : [{ target: 'default', aliases: [], links: [], ipv4: '', ipv6: '', linkLocalIPs: [] } as NetworkAttachment];
  let userDefined = false;
  let nonUserDefined = false;
  list.forEach((n, i) => {
    if (isUserDefined(n.target)) userDefined = true;
    else nonUserDefined = true;
    if (i === 0) applyContainerOptions(n, flags);
    const ep = endpointOf(n);
    if (Object.hasOwn(endpoints, n.target)) throw new Error(`network ${JSON.stringify(n.target)} is specified multiple times`);
    if (i === 0 && list.length === 1 && isEmptyEndpoint(ep)) return;
    endpoints[n.target] = ep;
  });
  if (userDefined && nonUserDefined) throw new Error('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return endpoints;
}
