import type { ContainerInspect, ContainerSummary, NetworkSettings, PortSummary } from '../../api/types.js';
import { badParameter } from '../../common/errors.js';
import { humanDuration } from '../../common/units.js';
import { containerMounts, mountPointViews } from './mounts.js';
import type { ContainerRecord } from '../../store/container-store.js';

/** The Engine API's views of a container (inspect, list) and the list filters. */

/**
 * NetworkSettings as dockerd fills it: the endpoints by network name (addresses
 * while running), the default bridge's address at the top level, the published ports.
 */
export function networkSettings(record: ContainerRecord): NetworkSettings {
  const networks = record.networks ?? {};
  const bridge = networks.bridge;
  return {
    Bridge: '',
    SandboxID: record.netnsPath ? record.id : '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: record.state.Running ? record.ports ?? {} : {},
    SandboxKey: record.netnsPath ?? '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? '',
    Gateway: bridge?.Gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.IPAddress ?? '',
    IPPrefixLen: bridge?.IPPrefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: bridge?.MacAddress ?? '',
    Networks: networks,
  };
}

/** The Ports of `GET /containers/json`: published bindings, and exposed ports without one. */
export function portSummaries(record: ContainerRecord): PortSummary[] {
  if (!record.state.Running) return [];
  return Object.entries(record.ports ?? {}).flatMap(([key, bindings]) => {
    const [port, proto = 'tcp'] = key.split('/');
    const base = { PrivatePort: Number(port), Type: proto as PortSummary['Type'] };
    if (!bindings?.length) return [base];
    return bindings.map((b) => ({ IP: b.HostIp || '0.0.0.0', ...base, PublicPort: Number(b.HostPort) }));
  });
}

export function inspectView(
  record: ContainerRecord,
  paths: { hostsPath: string; hostnamePath: string; resolvConfPath: string; logPath: string; rootfsDir: string; layerDirs: string[] },
  execIds: string[],
  sizes?: { rw: number; rootFs: number },
): ContainerInspect {
  return {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: { ...record.state },
    Image: record.image,
    ResolvConfPath: paths.resolvConfPath,
    HostnamePath: paths.hostnamePath,
    HostsPath: paths.hostsPath,
    LogPath: paths.logPath,
    Name: record.name,
    RestartCount: record.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: execIds.length ? execIds : null,
    HostConfig: record.hostConfig,
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        LowerDir: [...paths.layerDirs].reverse().join(':'),
        MergedDir: `${paths.rootfsDir}/merged`,
        UpperDir: `${paths.rootfsDir}/upper`,
        WorkDir: `${paths.rootfsDir}/work`,
      },
    },
    ...(sizes ? { SizeRw: sizes.rw, SizeRootFs: sizes.rootFs } : {}),
    Mounts: mountPointViews(record),
    Config: record.config,
    NetworkSettings: networkSettings(record),
  };
}

export function summaryView(record: ContainerRecord, sizes?: { rw: number; rootFs: number }): ContainerSummary {
  const command = [record.path, ...record.args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  return {
    Id: record.id,
    Names: [record.name],
    Image: record.imageRef,
    ImageID: record.image,
    Command: command,
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: portSummaries(record),
    ...(sizes ? { SizeRw: sizes.rw, SizeRootFs: sizes.rootFs } : {}),
    Labels: record.config.Labels ?? {},
    State: record.state.Status,
    Status: statusText(record),
    HostConfig: { NetworkMode: record.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: networkSettings(record).Networks },
    Mounts: mountPointViews(record),
  };
}

/** Docker's human status: "Up 5 seconds", "Exited (0) 2 minutes ago", "Created". */
export function statusText(record: ContainerRecord, now = Date.now()): string {
  const s = record.state;
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Running) return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${s.Paused ? ' (Paused)' : ''}`;
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Status === 'dead') return 'Dead';
  if (!record.hasBeenStarted || s.FinishedAt.startsWith('0001')) return 'Created';
  return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
}

const KNOWN_FILTERS = ['id', 'name', 'label', 'status', 'ancestor', 'before', 'since', 'exited', 'health', 'network', 'volume', 'expose', 'publish', 'is-task'];
const HEALTH_STATES = ['starting', 'healthy', 'unhealthy', 'none'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/**
 * `GET /containers/json` selection: all/limit/before/since and the filters, newest
 * first. `ancestorMatches(record, ref)` answers whether ref names the record's image
 * or one of its parents.
 */
export function selectContainers(
  records: ContainerRecord[],
  opts: { all: boolean; limit: number; filters: Map<string, string[]> },
  lookup: (ref: string) => ContainerRecord | undefined,
  ancestorMatches: (record: ContainerRecord, ref: string) => boolean,
): ContainerRecord[] {
  const f = opts.filters;
  for (const key of f.keys()) if (!KNOWN_FILTERS.includes(key)) throw badParameter(`Invalid filter '${key}'`);
  for (const status of f.get('status') ?? []) {
    if (!STATUSES.includes(status)) throw badParameter(`Invalid filter 'status=${status}'`);
  }
  for (const code of f.get('exited') ?? []) {
    if (!/^[+-]?\d+$/.test(code)) throw badParameter(`strconv.Atoi: parsing "${code}": invalid syntax`);
  }
  for (const health of f.get('health') ?? []) {
    if (!HEALTH_STATES.includes(health)) throw badParameter(`Unrecognised filter value for health: ${health}`);
  }
  const sorted = [...records].sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || (a.id < b.id ? 1 : -1));
  const created = (ref: string) => {
    const r = lookup(ref);
    if (!r) throw badParameter(`no such container ${ref}`);
    return Date.parse(r.created);
  };
  const before = f.get('before')?.map(created);
  const since = f.get('since')?.map(created);
  const all = opts.all || opts.limit > 0 || !!before || !!since || f.has('status') || f.has('exited');
  const out = sorted.filter((r) => {
    const t = Date.parse(r.created);
    if (!all && !r.state.Running) return false;
    if (before && !before.every((b) => t < b)) return false;
    if (since && !since.every((s) => t > s)) return false;
    if (!matchAny(f.get('id'), (v) => r.id.startsWith(v))) return false;
    if (!matchAny(f.get('name'), (v) => new RegExp(v).test(r.name))) return false;
    if (!matchAny(f.get('status'), (v) => v === r.state.Status)) return false;
    if (!matchAny(f.get('ancestor'), (v) => ancestorMatches(r, v))) return false;
    if (!matchAny(f.get('exited'), (v) => r.hasBeenStarted && !r.state.Running && r.state.ExitCode === Number(v))) return false;
    if (!matchAny(f.get('network'), (v) => Object.entries(r.networks ?? {}).some(([name, e]) => name === v || (!!e.NetworkID && e.NetworkID.startsWith(v))))) return false;
    if (!matchAny(f.get('volume'), (v) => containerMounts(r).some((m) => m.Destination === v || (m.Name || m.Source) === v))) return false;
    if (!matchAny(f.get('publish'), (v) => portSummaries(r).some((p) => p.PublicPort !== undefined && portMatches(v, p.PublicPort, p.Type)))) return false;
    if (!matchAny(f.get('expose'), (v) => Object.keys(r.config.ExposedPorts ?? {}).some((k) => portMatches(v, Number(k.split('/')[0]), k.split('/')[1] ?? 'tcp')))) return false;
    // No healthchecks run yet: every container's health is "none".
    if (!matchAny(f.get('health'), (v) => v === 'none')) return false;
    for (const label of f.get('label') ?? []) {
      const [key, value] = splitOnce(label, '=');
      const labels = r.config.Labels ?? {};
      if (!(key in labels) || (value !== undefined && labels[key] !== value)) return false;
    }
    return true;
  });
  return opts.limit > 0 ? out.slice(0, opts.limit) : out;
}

/** `8080`, `8080/udp` or a range `8000-8080[/proto]` against one port. */
function portMatches(filter: string, port: number, proto: string): boolean {
  const [range, wantedProto = 'tcp'] = filter.split('/');
  const [low, high = low] = range.split('-').map(Number);
  return wantedProto === proto && port >= low && port <= high;
}

function matchAny(values: string[] | undefined, test: (v: string) => boolean): boolean {
  return !values || values.length === 0 || values.some(test);
}

export function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + sep.length)];
}
