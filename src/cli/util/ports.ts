// Ports as the docker CLI reads and prints them: `-p`/`--expose` specs (go-connections' nat,
// as docker 28 vendors it, with its messages), the PORTS column of ps
// (formatter.DisplayablePorts) and Go's address helpers they rely on.
import { isIP } from 'node:net';
import type { PortBinding, PortMap, PortSummary } from '../../api/types.js';

/** strconv.ParseUint(s, 10, 16) with Go's messages. */
export function parseUint16(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 0xffff) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** nat.ParsePortRange: "80" or "8000-8010" (anything after a second dash is ignored, as in Go). */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new Error('empty string specified for ports');
  if (!ports.includes('-')) {
    const port = parseUint16(ports);
    return [port, port];
  }
  const parts = ports.split('-');
  const start = parseUint16(parts[0]);
  const end = parseUint16(parts[1]);
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** nat.SplitProtoPort: "80/udp" → ["udp", "80"]; no protocol is tcp; no port gives ["", ""]. */
export function splitProtoPort(rawPort: string): [string, string] {
  const parts = rawPort.split('/');
  if (rawPort === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', rawPort];
  if (parts[1] === '') return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

/** net.ParseIP: dotted IPv4 (no leading zeros) or IPv6 without a zone. */
export function goParseIP(s: string): boolean {
  return !s.includes('%') && isIP(s) !== 0;
}

/** net.SplitHostPort, with Go's AddrError messages. */
export function goSplitHostPort(hostport: string): [string, string] {
  const fail = (why: string): never => {
    throw new Error(`address ${hostport}: ${why}`);
  };
  const i = hostport.lastIndexOf(':');
  if (i < 0) fail('missing port in address');
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === hostport.length) fail('missing port in address');
    else if (end + 1 !== i) fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) fail('too many colons in address');
  }
  if (hostport.slice(j).includes('[')) fail("unexpected '[' in address");
  if (hostport.slice(k).includes(']')) fail("unexpected ']' in address");
  return [host, hostport.slice(i + 1)];
}

/** net.JoinHostPort: IPv6 hosts in brackets. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function splitParts(rawPort: string): [string, string, string] {
  const parts = rawPort.split(':');
  const n = parts.length;
  switch (n) {
    case 1:
      return ['', '', parts[0]];
    case 2:
      return ['', parts[0], parts[1]];
    case 3:
      return [parts[0], parts[1], parts[2]];
    default:
      return [parts.slice(0, n - 2).join(':'), parts[n - 2], parts[n - 1]];
  }
}

export interface PortMapping {
  /** "80/tcp" */
  port: string;
  binding: Required<PortBinding>;
}

/** nat.ParsePortSpec: [ip:][hostPort:]containerPort[/proto], ranges expanded one mapping per port. */
export function parsePortSpec(rawPort: string): PortMapping[] {
  let [ip, hostPort, containerPort] = splitParts(rawPort);
  let proto: string;
  [proto, containerPort] = splitProtoPort(containerPort);
  if (ip !== '' && ip[0] === '[') {
    // strip the [] of an IPv6 address
    try {
      ip = goSplitHostPort(`${ip}:`)[0];
    } catch (err) {
      throw new Error(`invalid IP address ${ip}: ${(err as Error).message}`);
    }
  }
  if (ip !== '' && !goParseIP(ip)) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${rawPort}<empty>`);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new Error(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPort !== '') {
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new Error(`invalid hostPort: ${hostPort}`);
    }
    // a host range for a single container port is the range to pick a free port from
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const protocol = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw new Error(`invalid proto: ${proto}`);
  const mappings: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hp = hostPort === '' ? '' : String(hostStart + i);
    if (start === end && hostStart !== hostEnd) hp += `-${hostEnd}`;
    mappings.push({ port: `${start + i}/${protocol}`, binding: { HostIp: ip, HostPort: hp } });
  }
  return mappings;
}

/** The long `-p` syntax (target=80,published=8080,protocol=udp) as the short one (convertToStandardNotation). */
export function convertToStandardNotation(ports: string[]): string[] {
  return ports.map((publish) => {
    if (!publish.includes('=')) return publish;
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const param of publish.split(',')) {
      const eq = param.indexOf('=');
      if (eq <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
      params[param.slice(0, eq)] = param.slice(eq + 1);
    }
    return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
  });
}

/**
 * `-p` and `--expose` as the create request carries them: every port exposed (in order) and the
 * published ones bound (nat.ParsePortSpecs, then the --expose ranges merged in).
 */
export function parsePorts(publish: string[], expose: string[]): { exposed: Record<string, object>; bindings: PortMap } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const spec of convertToStandardNotation(publish)) {
    for (const { port, binding } of parsePortSpec(spec)) {
      exposed[port] ??= {};
      (bindings[port] ??= []).push(binding);
    }
  }
  for (const e of expose) {
    if (e.includes(':')) throw new Error(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let start: number;
    let end: number;
    try {
      [start, end] = parsePortRange(port);
    } catch (err) {
      throw new Error(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
    }
    for (let p = start; p <= end; p++) exposed[`${p}/${proto}`] ??= {};
  }
  return { exposed, bindings };
}

/** Go's string order (bytes, not locale). */
const goCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * formatter.DisplayablePorts: ports sorted by private port, IP, public port and type; runs of
 * consecutive ports with the same IP and type (published on the same number, or not published)
 * grouped into ranges in the order the groups began, then the ports published elsewhere.
 */
export function displayablePorts(ports: readonly PortSummary[]): string {
  const sorted = [...ports].sort(
    (a, b) => a.PrivatePort - b.PrivatePort || goCompare(a.IP ?? '', b.IP ?? '') || (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || goCompare(a.Type, b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const p of sorted) {
    let key: string = p.Type;
    if (p.IP) {
      if ((p.PublicPort ?? 0) !== p.PrivatePort) {
        hostMappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const group = groups.get(key);
    if (!group) groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    else if (p.PrivatePort === group.last + 1) group.last = p.PrivatePort;
    else {
      // the finished run goes out now; the key keeps its place among the groups
      result.push(formGroup(key, group.first, group.last));
      group.first = group.last = p.PrivatePort;
    }
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

function formGroup(key: string, first: number, last: number): string {
  const parts = key.split('/');
  const [ip, type] = parts.length > 1 ? [parts[0], parts[1]] : ['', parts[0]];
  let group = String(first);
  if (first !== last) group += `-${last}`;
  if (ip) group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}
