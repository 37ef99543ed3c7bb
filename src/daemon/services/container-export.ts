// `docker export`: a tar of a container's root file system as the container sees it
// (its image with its own changes), running or not. The archive is read from a mount of
// the export's own, released when the archive closes (read to its end or abandoned):
// a bind of the live overlay while the container runs, so that the container stopping
// cannot unmount it mid-stream, else a read-only overlay of its layers.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { packDirectory } from '../../archive/pack.js';
import { errorMessage } from '../../common/errors.js';
import { log } from '../../common/log.js';
import { MS_BIND, native } from '../../kernel/native.js';
import { isMountPoint, mountOverlay, unmount, type ContainerRootfs } from '../../runtime/rootfs.js';

export class FilesystemExporter {
  /** `mountsDir` holds the exports' mounts: not under the data root's tmp, which start-up deletes recursively. */
  constructor(private readonly mountsDir: string) {}

  /** Unmounts what exports left when berthd died during them. */
  async releaseLeftovers(): Promise<void> {
    for (const name of await fs.readdir(this.mountsDir).catch(() => [])) await release(path.join(this.mountsDir, name));
  }

  /** The container's file system as a tar stream, its names relative (`bin/`, `etc/passwd`), as dockerd's. */
  async export(rootfs: ContainerRootfs, imageLayerDirs: string[]): Promise<Readable> {
    const dir = path.join(this.mountsDir, randomBytes(8).toString('hex'));
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      if (await isMountPoint(rootfs.merged)) {
        native.mount(rootfs.merged, dir, '', MS_BIND, '');
        // Stopped since the check, the container took its overlay away: this bound the empty mount point.
        if ((await fs.stat(dir)).dev === (await fs.stat(rootfs.dir)).dev) unmount(dir);
      }
      if (!(await isMountPoint(dir))) mountOverlay(dir, [rootfs.upper, ...[...imageLayerDirs].reverse()]);
    } catch (err) {
      await release(dir);
      throw err;
    }
    return packDirectory(dir).once('close', () => void release(dir));
  }
}

async function release(dir: string): Promise<void> {
  try {
    if (await isMountPoint(dir)) unmount(dir);
    await fs.rmdir(dir);
  } catch (err) {
    log.warn('export: releasing a mount failed', { dir, err: errorMessage(err) });
  }
}
