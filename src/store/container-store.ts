import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EndpointSettings, PortMap, ContainerConfig, ContainerState, HostConfig, MountPoint } from '../api/types.js';
import { readJsonIfExists, removeTempFiles, writeJsonAtomic } from '../common/atomic-fs.js';
import { conflict, noSuchContainer } from '../common/errors.js';

/** What berth keeps of a container; inspect output is derived from it. */
export interface ContainerRecord {
  id: string;
  /** With the leading slash, as Docker stores it. */
  name: string;
  created: string;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** The image id (sha256:...) and the reference the user gave. */
  image: string;
  imageRef: string;
  state: ContainerState;
  restartCount: number;
  runtime: string;
  /** The pid of the container's conmon while it runs. */
  monitorPid: number;
  /** Set once the container has been started (its root filesystem prepared). */
  hasBeenStarted: boolean;
  /** Its networks by name; addresses are set while it runs. */
  networks?: Record<string, EndpointSettings>;
  /** Published ports while it runs (NetworkSettings.Ports). */
  ports?: PortMap;
  /** Its network namespace's bind mount while it runs (NetworkSettings.SandboxKey). */
  netnsPath?: string;
  /** Its binds, volumes and --mount tmpfs, settled at create (records older than volumes have none). */
  mounts?: ContainerMount[];
}

/** A mount as a container's record keeps it: inspect's MountPoint and what a start needs besides. */
export interface ContainerMount extends MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** A volume the user named (`-v name:/path`): `rm -v` keeps it. */
  Named?: boolean;
  /** `-v` binds make a missing host directory at start; `--mount` binds must find theirs. */
  CreateSource?: boolean;
  NonRecursive?: boolean;
  /** The directory of the volume to mount instead of its root. */
  Subpath?: string;
  /** tmpfs options: size=, mode=, ro. */
  TmpfsData?: string;
}

const RECORD = 'config.v2.json';
/** Directories of removed containers, waiting to be deleted. */
const TRASH_PREFIX = '.removed-';

/**
 * Containers on disk, one directory each (`<root>/<id>/config.v2.json` plus the
 * container's files), and in memory with a name index. Writes are atomic.
 */
export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();

  constructor(readonly root: string) {}

  async load(): Promise<ContainerRecord[]> {
    await fs.mkdir(this.root, { recursive: true });
    for (const id of await fs.readdir(this.root)) {
      const dir = this.dir(id);
      if (id.startsWith(TRASH_PREFIX)) {
        await fs.rm(dir, { recursive: true, force: true });
        continue;
      }
      await removeTempFiles(dir);
      const record = await readJsonIfExists<ContainerRecord>(path.join(dir, RECORD)).catch(() => undefined);
      if (!record) {
        // A create that a crash interrupted before its record was written.
        await fs.rm(dir, { recursive: true, force: true });
        continue;
      }
      this.index(record);
    }
    return this.all();
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /** Finds by full id, name (with or without `/`), or unique id prefix, as dockerd does. */
  find(ref: string): ContainerRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.byName.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.byId.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw conflict(`multiple IDs found with provided prefix: ${ref}`);
    return matches.length ? this.byId.get(matches[0]) : undefined;
  }

  get(ref: string): ContainerRecord {
    const record = this.find(ref);
    if (!record) throw noSuchContainer(ref);
    return record;
  }

  nameOwner(name: string): string | undefined {
    return this.byName.get(name);
  }

  async add(record: ContainerRecord): Promise<void> {
    const owner = this.byName.get(record.name);
    if (owner) throw nameConflict(record.name, owner);
    this.index(record);
    await fs.mkdir(this.dir(record.id), { recursive: true });
    await this.save(record);
  }

  async save(record: ContainerRecord): Promise<void> {
    await writeJsonAtomic(path.join(this.dir(record.id), RECORD), record);
  }

  async rename(record: ContainerRecord, newName: string): Promise<void> {
    const owner = this.byName.get(newName);
    if (owner && owner !== record.id) throw nameConflict(newName, owner);
    this.byName.delete(record.name);
    record.name = newName;
    this.byName.set(newName, record.id);
    await this.save(record);
  }

  /**
   * Removes a container atomically by renaming its directory (record included) out
   * of the store; the files are deleted in the background, off the caller's path.
   * load() finishes deletions a crash interrupted.
   */
  async remove(record: ContainerRecord): Promise<void> {
    const trash = path.join(this.root, `${TRASH_PREFIX}${record.id}`);
    await fs.rename(this.dir(record.id), trash);
    this.byId.delete(record.id);
    this.byName.delete(record.name);
    void fs.rm(trash, { recursive: true, force: true });
  }

  private index(record: ContainerRecord): void {
    this.byId.set(record.id, record);
    this.byName.set(record.name, record.id);
  }
}

export function nameConflict(name: string, ownerId: string) {
  return conflict(
    `Conflict. The container name "${name}" is already in use by container "${ownerId}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}
