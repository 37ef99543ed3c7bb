import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MS_RDONLY, native } from '../kernel/native.js';

/**
 * A container's root filesystem: an overlay of the image's layer directories (read
 * only, shared) under the container's own upper directory.
 */
export class ContainerRootfs {
  constructor(readonly dir: string) {}

  get upper(): string {
    return path.join(this.dir, 'upper');
  }
  get work(): string {
    return path.join(this.dir, 'work');
  }
  get merged(): string {
    return path.join(this.dir, 'merged');
  }

  async prepare(): Promise<void> {
    await Promise.all([this.upper, this.work, this.merged].map((d) => fs.mkdir(d, { recursive: true })));
  }

  /** Mounts the overlay; a no-op when it is mounted already (a restart after live restore). */
  async mount(layerDirs: string[]): Promise<void> {
    if (await isMountPoint(this.merged)) return;
    // overlayfs lists the top layer first; the image store gives the lowest first.
    mountOverlay(this.merged, [...layerDirs].reverse(), { upper: this.upper, work: this.work });
  }

  async unmount(): Promise<void> {
    if (await isMountPoint(this.merged)) unmount(this.merged);
  }
}

/** Mounts an overlay of `lowerDirs` (the topmost first) on `target`: writable with `writable`'s dirs, else read only. */
export function mountOverlay(target: string, lowerDirs: string[], writable?: { upper: string; work: string }): void {
  // A long lowerdir list can pass the one-page limit of mount data: relative
  // paths from a common parent keep it short.
  const common = commonParent(lowerDirs);
  const lower = `lowerdir=${lowerDirs.map((d) => path.relative(common, d)).join(':')}`;
  const data = writable ? `${lower},upperdir=${writable.upper},workdir=${writable.work}` : lower;
  if (data.length > 4000) throw new Error(`too many layers (${lowerDirs.length}) for one overlay mount`);
  const cwd = process.cwd();
  process.chdir(common);
  try {
    native.mount('overlay', target, 'overlay', writable ? 0 : MS_RDONLY, data);
  } finally {
    process.chdir(cwd);
  }
}

/** Unmounts `target`, detaching it when it is busy (its last user then releases it). */
export function unmount(target: string): void {
  try {
    native.umount(target, false);
  } catch {
    native.umount(target, true);
  }
}

function commonParent(dirs: string[]): string {
  let parent = path.dirname(dirs[0] ?? '/');
  while (!dirs.every((d) => d.startsWith(parent + path.sep)) && parent !== '/') parent = path.dirname(parent);
  return parent;
}

export async function isMountPoint(dir: string): Promise<boolean> {
  try {
    const [self, parent] = await Promise.all([fs.stat(dir), fs.stat(path.dirname(dir))]);
    return self.dev !== parent.dev;
  } catch {
    return false;
  }
}
