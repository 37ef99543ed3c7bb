import { closeSync, constants as fsConstants, existsSync, fstatSync, openSync, promises as fs, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../../api/types.js';
import { badParameter, conflict, errorMessage, notFound, serverError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import { log } from '../../common/log.js';
import { runCommand } from '../../kernel/command.js';
import { MS_BIND, native } from '../../kernel/native.js';
import { isMounted, unmountAllUnder } from '../../runtime/mountinfo.js';
import { mountWithOptions } from '../../runtime/mount-options.js';
import type { OciMount } from '../../runtime/oci-spec.js';
import { mountOverlay, unmount } from '../../runtime/rootfs.js';
import { resolveInRoot } from '../../runtime/user.js';
import type { ContainerMount, ContainerRecord, ContainerStore } from '../../store/container-store.js';
import { matchLabels } from '../../store/image-filters.js';
import { directorySize } from '../../store/layer-store.js';
import { VOLUME_NAME, VolumeStore, type VolumeRecord } from '../../store/volume-store.js';
import type { EventService } from './events.js';
import { containerMounts, ociMount, storedMount, tmpfsMounts, type RequestedMount } from './mounts.js';

/** The local driver's options: what to mount on the volume's directory, and a size it cannot honour here. */
const DRIVER_OPTIONS = ['type', 'device', 'o', 'size'];
/** Each option, the ones it needs beside it (dockerd 20.10's local driver). */
const REQUIRED_WITH: Record<string, string[]> = { type: ['device'], device: ['type'], o: ['device'] };

/** open(2)'s O_PATH: a handle on a path that pins it without opening its content. */
const O_PATH = 0o10000000;

/**
 * Volumes with dockerd's `local` driver: the /volumes API, and the volume side of a container's
 * life: the volumes its mounts name or need (made at create, filled from the image), mounted
 * for it at start and released when it stops, removed with it when anonymous and asked to.
 * A volume in use by any container, running or not, cannot be removed.
 */
export class VolumeService {
  readonly store: VolumeStore;
  /** Volumes being given to containers still being created (not in the store yet): in use. */
  private readonly claims = new Map<string, Set<string>>();
  /** Per volume, who has it mounted now: running containers and copy-ups. */
  private readonly active = new Map<string, Set<string>>();
  private readonly creating = new Map<string, Promise<VolumeRecord>>();
  /** Where a volume's subpath is held for a container, pinned by a bind (so it cannot be swapped). */
  private readonly subpathDir: string;

  constructor(private readonly deps: { dataRoot: string; execRoot: string; events: EventService; containers: ContainerStore }) {
    this.store = new VolumeStore(path.join(deps.dataRoot, 'volumes'));
    this.subpathDir = path.join(deps.execRoot, 'volume-subpaths');
  }

  /** Loads the volumes (before ContainerService.init, whose late exits may release or remove some). */
  async init(): Promise<void> {
    await this.store.load();
  }

  /**
   * Takes back the running containers' mounts (after ContainerService.init has recorded the exits
   * berthd missed): a volume with options stays mounted for them, one left mounted with no
   * running user is unmounted.
   */
  restoreMounts(): void {
    for (const record of this.deps.containers.all().filter((c) => c.state.Running)) {
      for (const m of containerMounts(record)) {
        const volume = m.Type === 'volume' && m.Name ? this.store.find(m.Name) : undefined;
        try {
          if (volume) this.mountVolume(volume, record.id);
        } catch (err) {
          log.warn('could not mount a running container\'s volume again', { id: record.id, volume: volume?.Name, err: errorMessage(err) });
        }
      }
    }
    for (const volume of this.store.all()) {
      if (!this.active.has(volume.Name) && needsMount(volume)) this.unmountVolume(volume);
    }
  }

  // ---- the /volumes API -------------------------------------------------------------

  view(volume: VolumeRecord): Volume {
    return {
      CreatedAt: volume.CreatedAt,
      Driver: volume.Driver,
      Labels: volume.Labels,
      Mountpoint: this.store.dataDir(volume.Name),
      Name: volume.Name,
      Options: volume.Options,
      Scope: 'local',
    };
  }

  list(filters: Map<string, string[]>): VolumeListResponse {
    for (const key of filters.keys()) if (!['dangling', 'name', 'driver', 'label'].includes(key)) throw badParameter(`Invalid filter '${key}'`);
    const dangling = filters.get('dangling');
    if (dangling && dangling.some((v) => !['true', '1', 'false', '0'].includes(v))) throw badParameter(`Invalid filter 'dangling=[${dangling.join(' ')}]'`);
    const wantDangling = dangling ? dangling.some((v) => v === 'true' || v === '1') : undefined;
    const matches = (key: string, test: (value: string) => boolean) => !filters.get(key)?.length || filters.get(key)!.some(test);
    const volumes = this.store
      .all()
      .filter(
        (v) =>
          matches('driver', (d) => d === v.Driver) &&
          matches('name', (pattern) => regexMatches(pattern, v.Name)) &&
          matchLabels(v.Labels ?? {}, filters.get('label') ?? []) &&
          (wantDangling === undefined || wantDangling === (this.users(v.Name).length === 0)),
      )
      .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    return { Volumes: volumes.map((v) => this.view(v)), Warnings: null };
  }

  inspect(name: string): Volume {
    return this.view(this.get(name));
  }

  async create(req: VolumeCreateRequest): Promise<Volume> {
    const volume = await this.findOrCreate(req.Name || newId(), req.Driver || 'local', req.Labels ?? null, req.DriverOpts ?? null);
    return this.view(volume);
  }

  /** `force` makes a missing volume no error; a volume in use stays either way, as in dockerd. */
  async remove(name: string, force: boolean): Promise<void> {
    const volume = this.store.find(name);
    if (!volume) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(' ')}]`);
    await this.destroy(volume);
  }

  /**
   * Every unused local volume (API 1.41 prunes named ones too) but those with driver options:
   * dockerd 20.10 keeps those, whose data may be a host directory.
   */
  async prune(filters: Map<string, string[]>): Promise<VolumePruneResponse> {
    for (const key of filters.keys()) if (!['label', 'label!'].includes(key)) throw badParameter(`Invalid filter '${key}'`);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const volume of this.store.all()) {
      const labels = volume.Labels ?? {};
      const excluded = filters.get('label!') ?? [];
      if (this.users(volume.Name).length || hasOptions(volume) || volume.Driver !== 'local') continue;
      if (!matchLabels(labels, filters.get('label') ?? []) || (excluded.length && matchLabels(labels, excluded))) continue;
      const size = await directorySize(this.store.dataDir(volume.Name)).catch(() => 0);
      // A container may have taken it while it was measured.
      if (this.users(volume.Name).length) continue;
      await this.destroy(volume);
      reclaimed += size;
      deleted.push(volume.Name);
    }
    this.deps.events.emit('volume', 'prune', '', { reclaimed: String(reclaimed) });
    return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
  }

  private get(name: string): VolumeRecord {
    const volume = this.store.find(name);
    if (!volume) throw notFound(`get ${name}: no such volume`);
    return volume;
  }

  /** The containers (by id) whose mounts name the volume, and those being created with it. */
  private users(name: string): string[] {
    const users = this.deps.containers
      .all()
      .filter((c) => containerMounts(c).some((m) => m.Type === 'volume' && m.Name === name))
      .map((c) => c.id);
    for (const [id, names] of this.claims) if (names.has(name) && !users.includes(id)) users.push(id);
    return users;
  }

  /** An existing volume as it is (dockerd ignores the new labels and options), else a new one. */
  private findOrCreate(name: string, driver: string, labels: Record<string, string> | null, options: Record<string, string> | null): Promise<VolumeRecord> {
    const fail = (message: string) => `create ${name}: ${message}`;
    if (driver !== 'local') throw notFound(fail(`error looking up volume plugin ${driver}: plugin "${driver}" not found`));
    const existing = this.store.find(name);
    if (existing) return Promise.resolve(existing);
    const pending = this.creating.get(name);
    if (pending) return pending;
    if (name.length === 1) throw badParameter(fail('volume name is too short, names should be at least two alphanumeric characters'));
    if (!VOLUME_NAME.test(name)) {
      throw badParameter(fail(`"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`));
    }
    const given = Object.keys(options ?? {});
    for (const key of given) if (!DRIVER_OPTIONS.includes(key)) throw badParameter(fail(`invalid option: ${JSON.stringify(key)}`));
    if (given.includes('size')) throw badParameter(fail('quota size requested but no quota support'));
    for (const key of given) {
      const missing = REQUIRED_WITH[key].find((required) => !given.includes(required));
      if (missing) throw badParameter(fail(`missing required option: ${JSON.stringify(missing)}`));
    }
    const record: VolumeRecord = {
      Name: name,
      Driver: 'local',
      CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Labels: sortedOrNull(labels),
      Options: sortedOrNull(options),
    };
    const created = this.store
      .create(record)
      .then(() => {
        this.deps.events.emit('volume', 'create', name, { driver: record.Driver });
        return record;
      })
      .finally(() => this.creating.delete(name));
    this.creating.set(name, created);
    return created;
  }

  /** Removes an unused volume; one a crash left mounted is unmounted first, never deleted through. */
  private async destroy(volume: VolumeRecord): Promise<void> {
    this.active.delete(volume.Name);
    await this.store.remove(volume.Name);
    this.deps.events.emit('volume', 'destroy', volume.Name, { driver: volume.Driver });
  }

  // ---- containers -------------------------------------------------------------------

  /**
   * The mounts a new container keeps: its volumes found or made (and held for it until its
   * record is saved: see releaseClaims), new empty ones filled from the image (`layerDirs`).
   * On failure the anonymous volumes made here go again.
   */
  async containerMounts(id: string, requested: RequestedMount[], layerDirs: string[]): Promise<ContainerMount[]> {
    const claimed = new Set<string>();
    this.claims.set(id, claimed);
    const made: VolumeRecord[] = [];
    try {
      const mounts: ContainerMount[] = [];
      const copyUps: { mount: ContainerMount; volume: VolumeRecord }[] = [];
      for (const r of requested) {
        if (r.type !== 'volume') {
          mounts.push(storedMount(r));
          continue;
        }
        let volume: VolumeRecord;
        if (r.inherited) volume = this.get(r.source);
        else {
          const name = r.source || newId();
          const isNew = !this.store.find(name);
          volume = await this.findOrCreate(name, r.volume?.driver ?? 'local', r.volume?.labels ?? null, r.volume?.options ?? null);
          if (isNew && !r.source) made.push(volume);
        }
        claimed.add(volume.Name);
        const subpath = r.inherited?.Subpath ?? r.volume?.subpath;
        const mount: ContainerMount = {
          Type: 'volume',
          Name: volume.Name,
          Source: this.store.dataDir(volume.Name),
          Destination: r.destination,
          Driver: volume.Driver,
          Mode: r.mode,
          RW: !r.readOnly,
          Propagation: r.propagation,
          ...((r.inherited ? r.inherited.Named : !!r.source) ? { Named: true } : {}),
          ...(subpath ? { Subpath: subpath } : {}),
        };
        mounts.push(mount);
        if (r.copyData && !subpath) copyUps.push({ mount, volume });
      }
      await this.copyUp(id, copyUps, layerDirs);
      return mounts;
    } catch (err) {
      this.claims.delete(id);
      for (const volume of made) await this.destroy(volume).catch(() => undefined);
      throw err;
    }
  }

  /** The container's record is saved (or its create failed): its volumes are in use through it now. */
  releaseClaims(id: string): void {
    this.claims.delete(id);
  }

  /**
   * dockerd's copy-up: a new, empty volume gets what the image has at the mount's destination,
   * with ownership, modes and times (cp -a), read from a read-only overlay of the image's layers.
   */
  private async copyUp(id: string, targets: { mount: ContainerMount; volume: VolumeRecord }[], layerDirs: string[]): Promise<void> {
    const empty: typeof targets = [];
    for (const t of targets) if (needsMount(t.volume) || (await isEmptyDir(t.mount.Source))) empty.push(t);
    if (!empty.length || !layerDirs.length) return;
    const work = await this.store.scratchDir('copy-up');
    const image = path.join(work, 'image');
    const bottom = path.join(work, 'empty');
    await Promise.all([fs.mkdir(image), fs.mkdir(bottom)]);
    try {
      // A read-only overlay wants two lower layers at least: an empty one goes under the image.
      mountOverlay(image, [...layerDirs].reverse().concat(bottom));
      for (const { mount, volume } of empty) {
        const source = await resolveInRoot(image, mount.Destination);
        if (!(await fs.stat(source).catch(() => undefined))?.isDirectory()) continue;
        const user = `copy-up-${id}`;
        this.mountVolume(volume, user);
        try {
          if (await isEmptyDir(mount.Source)) await runCommand('cp', ['-a', '--', `${source}/.`, `${mount.Source}/`]);
        } finally {
          this.releaseVolume(volume, user);
        }
      }
    } finally {
      if (isMounted(image)) unmount(image);
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  /**
   * The runtime's mounts for a starting container: binds (a -v bind's missing directory made),
   * its volumes (mounted first when they have options, subpaths pinned), tmpfs.
   */
  async attach(record: ContainerRecord): Promise<OciMount[]> {
    const mounts: OciMount[] = [];
    for (const [index, m] of containerMounts(record).entries()) {
      if (m.Type === 'bind' && !existsSync(m.Source)) {
        if (!m.CreateSource) throw badParameter(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
        await fs.mkdir(m.Source, { recursive: true, mode: 0o755 });
      }
      if (m.Type !== 'volume') {
        mounts.push(ociMount(m));
        continue;
      }
      const volume = this.store.find(m.Name ?? '');
      if (!volume) throw notFound(`get ${m.Name}: no such volume`);
      this.mountVolume(volume, record.id);
      mounts.push(ociMount(m, m.Subpath ? await this.pinSubpath(record.id, index, m) : m.Source));
      this.deps.events.emit('volume', 'mount', volume.Name, {
        container: record.id,
        destination: m.Destination,
        driver: volume.Driver,
        propagation: m.Propagation,
        'read/write': String(m.RW),
      });
    }
    return [...mounts, ...tmpfsMounts(record.hostConfig)];
  }

  /** The container stopped (or its start failed): its volumes are released, the last user unmounts. */
  detach(record: ContainerRecord): void {
    for (const m of containerMounts(record)) {
      const volume = m.Type === 'volume' && m.Name ? this.store.find(m.Name) : undefined;
      if (!volume || !this.active.get(volume.Name)?.has(record.id)) continue;
      this.releaseVolume(volume, record.id);
      this.deps.events.emit('volume', 'unmount', volume.Name, { container: record.id, driver: volume.Driver });
    }
    const pinned = path.join(this.subpathDir, record.id);
    if (!existsSync(pinned)) return;
    try {
      unmountAllUnder(pinned);
      void fs.rm(pinned, { recursive: true, force: true });
    } catch (err) {
      log.warn('could not release a volume subpath', { id: record.id, err: errorMessage(err) });
    }
  }

  /** `rm -v` and `--rm`: the container's anonymous volumes go, unless another container uses them. */
  async removeAnonymous(record: ContainerRecord): Promise<void> {
    for (const m of containerMounts(record)) {
      const volume = m.Type === 'volume' && !m.Named && m.Name ? this.store.find(m.Name) : undefined;
      if (!volume || this.users(volume.Name).length) continue;
      await this.destroy(volume).catch((err) => log.warn('could not remove an anonymous volume', { volume: volume.Name, err: errorMessage(err) }));
    }
  }

  /**
   * Pins a volume's subpath for the container: resolved inside the volume (links cannot lead
   * out), opened, checked to be inside still, and bound from that open handle, so that the
   * volume's other users cannot swap it for a link before the runtime mounts it.
   */
  private async pinSubpath(containerId: string, index: number, m: ContainerMount): Promise<string> {
    const resolved = await resolveInRoot(m.Source, m.Subpath ?? '');
    let fd: number;
    try {
      fd = openSync(resolved, O_PATH | fsConstants.O_NOFOLLOW);
    } catch (err) {
      throw badParameter(`cannot access path ${resolved}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : errorMessage(err)}`);
    }
    try {
      const root = realpathSync(m.Source);
      const actual = readlinkSync(`/proc/self/fd/${fd}`);
      if (actual !== root && !actual.startsWith(`${root}/`)) throw badParameter(`subpath ${m.Subpath} leads out of volume ${m.Name}`);
      const target = path.join(this.subpathDir, containerId, String(index));
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      if (fstatSync(fd).isDirectory()) await fs.mkdir(target, { recursive: true });
      else writeFileSync(target, '');
      native.mount(`/proc/self/fd/${fd}`, target, '', MS_BIND, '');
      return target;
    } finally {
      closeSync(fd);
    }
  }

  // ---- the local driver's mounts ---------------------------------------------------------

  /** Counts a user of the volume; the first one mounts a volume with options on its directory. */
  private mountVolume(volume: VolumeRecord, user: string): void {
    const users = this.active.get(volume.Name) ?? new Set<string>();
    const dir = this.store.dataDir(volume.Name);
    if (users.size === 0 && needsMount(volume) && !isMounted(dir)) {
      const { type = '', device = '', o = '' } = volume.Options ?? {};
      try {
        mountWithOptions(device, dir, type, o);
      } catch (err) {
        throw serverError(`error while mounting volume '${dir}': failed to mount local volume: ${errorMessage(err)}`);
      }
    }
    users.add(user);
    this.active.set(volume.Name, users);
  }

  private releaseVolume(volume: VolumeRecord, user: string): void {
    const users = this.active.get(volume.Name);
    if (!users?.delete(user) || users.size) return;
    this.active.delete(volume.Name);
    if (needsMount(volume)) this.unmountVolume(volume);
  }

  private unmountVolume(volume: VolumeRecord): void {
    const dir = this.store.dataDir(volume.Name);
    if (!isMounted(dir)) return;
    try {
      unmount(dir);
    } catch (err) {
      log.warn('could not unmount a volume', { volume: volume.Name, err: errorMessage(err) });
    }
  }
}

/** A volume whose options ask for a mount (type or device), dockerd's needsMount. */
function needsMount(volume: VolumeRecord): boolean {
  return !!(volume.Options?.type || volume.Options?.device);
}

function hasOptions(volume: VolumeRecord): boolean {
  return Object.keys(volume.Options ?? {}).length > 0;
}

/** A map as dockerd shows it: keys sorted (Go writes maps so), none at all as null. */
function sortedOrNull(map: Record<string, string> | null): Record<string, string> | null {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? Object.fromEntries(entries) : null;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  return (await fs.readdir(dir)).length === 0;
}

/** Go's regexp.MatchString of the name filter: an invalid pattern matches nothing. */
function regexMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return false;
  }
}
