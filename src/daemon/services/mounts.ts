// A container's mounts: what a create request asks for (-v, --mount, --tmpfs, --volumes-from
// and the image's VOLUMEs), checked as dockerd checks them, and the mounts berth keeps in the
// container's record, which inspect and ps show and a start hands to the runtime.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ContainerConfig, HostConfig, MountPoint, MountRequest } from '../../api/types.js';
import { badParameter } from '../../common/errors.js';
import { mergeTmpfsOptions } from '../../runtime/mount-options.js';
import type { OciMount } from '../../runtime/oci-spec.js';
import { resolveInRoot } from '../../runtime/user.js';
import type { ContainerMount, ContainerRecord } from '../../store/container-store.js';

/** A mount a create request asks for, checked, before its volume is found or made. */
export interface RequestedMount {
  type: ContainerMount['Type'];
  /** A bind's host path, a volume's name ('' for a new anonymous volume). */
  source: string;
  destination: string;
  readOnly: boolean;
  mode: string;
  propagation: string;
  /** A new empty volume gets the image's content at the destination (not with nocopy). */
  copyData: boolean;
  createSource: boolean;
  nonRecursive: boolean;
  volume?: { driver: string; labels: Record<string, string> | null; options: Record<string, string> | null; subpath: string };
  tmpfsData: string;
  /** Taken over from another container (--volumes-from): the volume exists already. */
  inherited?: ContainerMount;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** Go's path.Clean: `..` and `.` resolved, no trailing slash. */
const cleanPath = (p: string) => path.normalize(p).replace(/(.)\/$/, '$1');

class MountConfigError extends Error {
  constructor(type: string, message: string) {
    super(`invalid mount config for type ${JSON.stringify(type)}: ${message}`);
  }
}

/** `mode=` and `size=` of --mount's tmpfs options, sizes in the largest exact unit (dockerd's). */
function tmpfsData(options: MountRequest['TmpfsOptions'], readOnly: boolean): string {
  const data = readOnly ? ['ro'] : [];
  if (options?.Mode) data.push(`mode=${options.Mode.toString(8)}`);
  const size = options?.SizeBytes ?? 0;
  if (size) {
    const unit = [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]].find(([, divisor]) => size % Number(divisor) === 0);
    data.push(unit ? `size=${size / Number(unit[1])}${unit[0]}` : `size=${size}`);
  }
  return data.join(',');
}

/** One HostConfig.Mounts entry (or a -v entry in that form), validated as dockerd's linux parser does. */
export function requestedMount(m: MountRequest, opts: { bindSourceMustExist: boolean }): RequestedMount {
  const fail = (message: string) => new MountConfigError(m.Type, message);
  if (!m.Target) throw fail('field Target must not be empty');
  if (m.Target === '/') throw fail("invalid specification: destination can't be '/'");
  if (!path.isAbsolute(m.Target)) throw fail(`invalid mount path: '${m.Target}' mount path must be absolute`);
  const source = m.Source ?? '';
  const base = {
    destination: cleanPath(m.Target),
    readOnly: !!m.ReadOnly,
    mode: '',
    propagation: '',
    copyData: false,
    createSource: false,
    nonRecursive: false,
    tmpfsData: '',
  };
  switch (m.Type) {
    case 'bind': {
      if (!source) throw fail('field Source must not be empty');
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      if (!PROPAGATIONS.includes(propagation)) throw fail(`invalid propagation mode: ${propagation}`);
      if (m.VolumeOptions) throw fail('field VolumeOptions must not be specified');
      if (!path.isAbsolute(source)) throw fail(`invalid mount path: '${source}' mount path must be absolute`);
      if (opts.bindSourceMustExist && !existsSync(source)) throw fail(`bind source path does not exist: ${source}`);
      return { ...base, type: 'bind', source: cleanPath(source), propagation, nonRecursive: !!m.BindOptions?.NonRecursive };
    }
    case 'volume': {
      if (m.BindOptions) throw fail('field BindOptions must not be specified');
      if (m.ReadOnly && !source) throw fail('must not set ReadOnly mode when using anonymous volumes');
      const subpath = m.VolumeOptions?.Subpath ?? '';
      if (subpath && (path.isAbsolute(subpath) || path.normalize(subpath).split('/')[0] === '..')) {
        throw fail('subpath must be a relative path within the volume');
      }
      const driverConfig = m.VolumeOptions?.DriverConfig;
      return {
        ...base,
        type: 'volume',
        source,
        mode: 'z',
        copyData: !m.VolumeOptions?.NoCopy,
        volume: { driver: driverConfig?.Name || 'local', labels: m.VolumeOptions?.Labels ?? null, options: driverConfig?.Options ?? null, subpath },
      };
    }
    case 'tmpfs':
      if (m.BindOptions) throw fail('field BindOptions must not be specified');
      if (source) throw fail('field Source must not be specified');
      return { ...base, type: 'tmpfs', source: '', tmpfsData: tmpfsData(m.TmpfsOptions, !!m.ReadOnly) };
    default:
      throw fail('mount type unknown');
  }
}

const MODE_GROUPS = [['rw', 'ro'], ['z', 'Z'], PROPAGATIONS, ['nocopy'], ['consistent', 'cached', 'delegated']];

/** dockerd's linuxValidMountMode: comma-separated words, at most one of each kind. */
function validMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = MODE_GROUPS.map(() => 0);
  for (const word of mode.split(',')) {
    const group = MODE_GROUPS.findIndex((g) => g.includes(word));
    if (group < 0) return false;
    counts[group]++;
  }
  return counts.every((n) => n <= 1);
}

/**
 * `-v` entries (HostConfig.Binds), as dockerd's ParseMountRaw reads them: `/host:/ctr[:mode]`
 * is a bind (its host directory made at start when missing), `name:/ctr[:mode]` a volume.
 */
export function parseBinds(binds: string[], volumeDriver = ''): RequestedMount[] {
  return binds.map((raw) => {
    const invalidSpec = `invalid volume specification: '${raw}'`;
    const parts = raw.split(':');
    if (parts[0] === '' || parts.length > 3) throw badParameter(invalidSpec);
    let mode = '';
    const request: MountRequest = { Type: '', Target: parts[0] };
    if (parts.length === 2) {
      // `/ctr:ro` is no volume: a volume cannot have a mode without a source.
      if (validMode(parts[1])) throw badParameter(invalidSpec);
      [request.Source, request.Target] = parts;
    } else if (parts.length === 3) {
      [request.Source, request.Target, mode] = parts;
    }
    if (!validMode(mode)) throw badParameter(`invalid mode: ${mode}`);
    const words = mode ? mode.split(',') : [];
    request.Type = path.isAbsolute(request.Source ?? '') ? 'bind' : 'volume';
    request.ReadOnly = words.includes('ro');
    if (volumeDriver && request.Type === 'volume') request.VolumeOptions = { DriverConfig: { Name: volumeDriver } };
    if (words.includes('nocopy')) request.VolumeOptions = { ...request.VolumeOptions, NoCopy: true };
    const propagation = words.find((w) => PROPAGATIONS.includes(w));
    if (propagation) request.BindOptions = { Propagation: propagation };
    let mount: RequestedMount;
    try {
      mount = requestedMount(request, { bindSourceMustExist: false });
    } catch (err) {
      throw badParameter(`${invalidSpec}: ${(err as Error).message}`);
    }
    // The local driver's volumes get SELinux's shared label by default ("z"), in dockerd's Mode too.
    return { ...mount, mode: mount.type === 'volume' && !mode ? 'z' : mode, createSource: true };
  });
}

/** `container[:ro|rw]` of --volumes-from. */
function parseVolumesFrom(spec: string): { container: string; readOnly?: boolean } {
  const [container, mode, ...rest] = spec.split(':');
  if (rest.length || (mode !== undefined && !['ro', 'rw'].includes(mode))) throw badParameter(`invalid mode: ${spec.slice(container.length + 1)}`);
  return { container, readOnly: mode === undefined ? undefined : mode === 'ro' };
}

/**
 * Everything a create request mounts, by destination, as dockerd's registerMountPoints puts it
 * together: the mounts of --volumes-from containers, replaced by -v binds, then --mount entries
 * (two of those on one path are an error), then an anonymous volume for each VOLUME left.
 */
export function requestedMounts(
  hostConfig: HostConfig,
  config: ContainerConfig,
  findContainer: (ref: string) => ContainerRecord | undefined,
): RequestedMount[] {
  const byDestination = new Map<string, RequestedMount>();
  const tmpfs = Object.keys(hostConfig.Tmpfs ?? {});
  for (const [destination, options] of Object.entries(hostConfig.Tmpfs ?? {})) {
    if (!path.isAbsolute(destination)) throw badParameter(`invalid mount path: '${destination}' mount path must be absolute`);
    tmpfsOptions(options);
  }
  for (const spec of hostConfig.VolumesFrom ?? []) {
    const from = parseVolumesFrom(spec);
    const other = findContainer(from.container);
    if (!other) throw badParameter(`No such container: ${from.container}`);
    // A tmpfs of the other container is its own: there is nothing to share.
    for (const m of containerMounts(other).filter((m) => m.Type !== 'tmpfs')) {
      byDestination.set(m.Destination, {
        type: m.Type,
        source: m.Type === 'volume' ? m.Name ?? '' : m.Source,
        destination: m.Destination,
        readOnly: !m.RW || from.readOnly === true,
        mode: '',
        propagation: m.Propagation,
        copyData: false,
        createSource: false,
        nonRecursive: !!m.NonRecursive,
        tmpfsData: '',
        inherited: m,
      });
    }
  }
  const explicit = new Set<string>();
  const add = (m: RequestedMount, taken: string[]) => {
    if (explicit.has(m.destination) || taken.includes(m.destination)) throw badParameter(`Duplicate mount point: ${m.destination}`);
    explicit.add(m.destination);
    byDestination.set(m.destination, m);
  };
  for (const m of parseBinds(hostConfig.Binds ?? [], hostConfig.VolumeDriver ?? '')) add(m, tmpfs);
  for (const request of hostConfig.Mounts ?? []) {
    try {
      add(requestedMount(request, { bindSourceMustExist: true }), []);
    } catch (err) {
      throw err instanceof MountConfigError ? badParameter(err.message) : err;
    }
  }
  for (const volume of Object.keys(config.Volumes ?? {})) {
    const destination = cleanPath(volume);
    if (byDestination.has(destination) || tmpfs.includes(destination)) continue;
    if (!path.isAbsolute(destination)) throw badParameter(`invalid mount path: '${volume}' mount path must be absolute`);
    const driver = hostConfig.VolumeDriver || 'local';
    byDestination.set(destination, {
      type: 'volume',
      source: '',
      destination,
      readOnly: false,
      mode: '',
      propagation: '',
      copyData: true,
      createSource: false,
      nonRecursive: false,
      tmpfsData: '',
      volume: { driver, labels: null, options: null, subpath: '' },
    });
  }
  return [...byDestination.values()];
}

/** --tmpfs options merged with dockerd's defaults; a word tmpfs does not know is an error at create. */
function tmpfsOptions(data: string): string[] {
  try {
    return mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', ...(data ? data.split(',') : [])]);
  } catch (err) {
    throw badParameter((err as Error).message);
  }
}

/** The record's mounts (a record from before volumes has its binds only). */
export function containerMounts(record: ContainerRecord): ContainerMount[] {
  return record.mounts ?? parseBinds(record.hostConfig.Binds ?? []).map(storedMount);
}

/**
 * Where the container's binds and volumes are on the host (what `docker cp` goes through), a
 * volume's subpath resolved inside the volume. A tmpfs has no host side.
 */
export async function hostMounts(record: ContainerRecord): Promise<{ destination: string; source: string; readOnly: boolean }[]> {
  const mounts = [];
  for (const m of containerMounts(record)) {
    if (m.Type === 'tmpfs') continue;
    mounts.push({ destination: m.Destination, source: m.Subpath ? await resolveInRoot(m.Source, m.Subpath) : m.Source, readOnly: !m.RW });
  }
  return mounts;
}

/** A bind or tmpfs as the record keeps it (a volume's record needs its volume: see VolumeService). */
export function storedMount(m: RequestedMount): ContainerMount {
  return {
    Type: m.type,
    Source: m.source,
    Destination: m.destination,
    Mode: m.mode,
    RW: !m.readOnly,
    Propagation: m.propagation,
    ...(m.createSource ? { CreateSource: true } : {}),
    ...(m.nonRecursive ? { NonRecursive: true } : {}),
    ...(m.tmpfsData ? { TmpfsData: m.tmpfsData } : {}),
  };
}

/** inspect's and ps's Mounts: dockerd's fields, in its order. */
export function mountPointViews(record: ContainerRecord): MountPoint[] {
  return containerMounts(record).map((m) => ({
    Type: m.Type,
    ...(m.Name !== undefined ? { Name: m.Name } : {}),
    Source: m.Source,
    Destination: m.Destination,
    ...(m.Driver !== undefined ? { Driver: m.Driver } : {}),
    Mode: m.Mode,
    RW: m.RW,
    Propagation: m.Propagation,
  }));
}

/**
 * The runtime's mounts for binds and tmpfs (volumes are the volume service's): dockerd's
 * options, a bind's propagation last, tmpfs options merged with dockerd's defaults.
 */
export function ociMount(m: ContainerMount, source = m.Source): OciMount {
  if (m.Type === 'tmpfs') return { destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(m.TmpfsData ?? '') };
  const options = [m.NonRecursive ? 'bind' : 'rbind', ...(m.RW ? [] : ['ro']), ...(m.Propagation ? [m.Propagation] : [])];
  return { destination: m.Destination, type: 'bind', source, options };
}

/** --tmpfs mounts (HostConfig.Tmpfs), which dockerd leaves out of Mounts. */
export function tmpfsMounts(hostConfig: HostConfig): OciMount[] {
  return Object.entries(hostConfig.Tmpfs ?? {}).map(([destination, data]) => ({
    destination: cleanPath(destination),
    type: 'tmpfs',
    source: 'tmpfs',
    options: tmpfsOptions(data),
  }));
}
