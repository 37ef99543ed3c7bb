import { randomBytes } from 'node:crypto';
import { promises as fs, renameSync } from 'node:fs';
import * as path from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../common/atomic-fs.js';
import { errorMessage } from '../common/errors.js';
import { log } from '../common/log.js';
import { unmountAllUnder } from '../runtime/mountinfo.js';

/** The local driver's names (dockerd's): no slash, no leading dot, so never a path out of the root. */
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** A volume as berth keeps it; the API's view adds its mountpoint and scope. */
export interface VolumeRecord {
  Name: string;
  Driver: string;
  CreatedAt: string;
  Labels: Record<string, string> | null;
  /** The local driver's type/device/o (null when none were given). */
  Options: Record<string, string> | null;
}

const RECORD = 'volume.json';
const STAGING_PREFIX = '.tmp-';
const TRASH_PREFIX = '.removed-';

/**
 * Volumes on disk, one directory each (`<root>/<name>/volume.json` and `_data`, the data),
 * and in memory. A volume appears whole (made under a temporary name, then renamed) and
 * vanishes whole (renamed away, then deleted), so a crash never leaves half of one.
 */
export class VolumeStore {
  private readonly byName = new Map<string, VolumeRecord>();

  constructor(readonly root: string) {}

  async load(): Promise<VolumeRecord[]> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const entry of await fs.readdir(this.root)) {
      const dir = path.join(this.root, entry);
      if (entry.startsWith(STAGING_PREFIX) || entry.startsWith(TRASH_PREFIX)) {
        await deleteTree(dir).catch((err) => log.warn('could not delete a volume left over by a crash', { dir, err: errorMessage(err) }));
        continue;
      }
      const record = await readJsonIfExists<VolumeRecord>(path.join(dir, RECORD)).catch(() => undefined);
      if (record?.Name === entry && VOLUME_NAME.test(entry)) this.byName.set(entry, record);
      else log.warn('not a volume, left alone', { dir });
    }
    return this.all();
  }

  all(): VolumeRecord[] {
    return [...this.byName.values()];
  }

  find(name: string): VolumeRecord | undefined {
    return this.byName.get(name);
  }

  /** Where the volume's data lives (what containers mount). */
  dataDir(name: string): string {
    return path.join(this.dir(name), '_data');
  }

  async create(record: VolumeRecord): Promise<void> {
    const target = this.dir(record.Name);
    const staging = path.join(this.root, `${STAGING_PREFIX}${record.Name}-${randomBytes(6).toString('hex')}`);
    try {
      await fs.mkdir(staging, { mode: 0o701 });
      await fs.mkdir(path.join(staging, '_data'), { mode: 0o755 });
      await writeJsonAtomic(path.join(staging, RECORD), record);
      await fs.rename(staging, target);
    } catch (err) {
      await fs.rm(staging, { recursive: true, force: true });
      throw err;
    }
    this.byName.set(record.Name, record);
  }

  /** A scratch directory among the volumes: a crash's leftover is unmounted and deleted at the next load. */
  scratchDir(label: string): Promise<string> {
    return fs.mkdtemp(path.join(this.root, `${STAGING_PREFIX}${label}-`));
  }

  /**
   * Takes the volume out at once (its directory renamed away: no await between the
   * caller's checks and its disappearance), then deletes its files, never through a mount.
   */
  remove(name: string): Promise<void> {
    const trash = path.join(this.root, `${TRASH_PREFIX}${name}-${randomBytes(6).toString('hex')}`);
    renameSync(this.dir(name), trash);
    this.byName.delete(name);
    return deleteTree(trash);
  }

  private dir(name: string): string {
    if (!VOLUME_NAME.test(name)) throw new Error(`invalid volume name ${JSON.stringify(name)}`);
    return path.join(this.root, name);
  }
}

async function deleteTree(dir: string): Promise<void> {
  unmountAllUnder(dir);
  await fs.rm(dir, { recursive: true, force: true });
}
