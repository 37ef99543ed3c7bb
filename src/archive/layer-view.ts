// Layer directories read as overlayfs merges them, without mounting: an entry in an upper
// layer hides the lower layers' ones, a whiteout (a 0/0 character device) deletes the name,
// an opaque directory (trusted.overlay.opaque=y) hides the lower layers' copies of itself.
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { OPAQUE_XATTR } from './extract.js';
import { lgetxattr } from './fsops.js';

export const isWhiteout = (st: { isCharacterDevice(): boolean; rdev: number | bigint }) => st.isCharacterDevice() && Number(st.rdev) === 0;

export async function isOpaque(dir: string): Promise<boolean> {
  return (await lgetxattr(dir, OPAQUE_XATTR))?.toString() === 'y';
}

/** One directory of the merged view: its copies in the layers that show through, the topmost first. */
export class MergedDir {
  constructor(readonly copies: string[]) {}

  /** The topmost entry called `name`, or undefined when no layer has it or a whiteout deletes it. */
  async entry(name: string): Promise<{ file: string; st: Stats } | undefined> {
    for (const dir of this.copies) {
      const file = path.join(dir, name);
      const st = await fs.lstat(file).catch(() => undefined);
      if (st) return isWhiteout(st) ? undefined : { file, st };
    }
    return undefined;
  }

  /**
   * Subdirectory `name`: each layer's copy down to the first layer that hides the rest
   * (a file, link or whiteout there, or an opaque copy). No copies: the merged view lacks it.
   */
  async child(name: string): Promise<MergedDir> {
    const copies: string[] = [];
    for (const dir of this.copies) {
      const next = path.join(dir, name);
      const st = await fs.lstat(next).catch(() => undefined);
      if (!st) continue;
      if (!st.isDirectory()) break;
      copies.push(next);
      if (await isOpaque(next)) break;
    }
    return new MergedDir(copies);
  }

  /** The names the merged directory holds, sorted. */
  async names(): Promise<string[]> {
    const names = new Set<string>();
    const hidden = new Set<string>();
    for (const dir of this.copies) {
      for (const e of await fs.readdir(dir, { withFileTypes: true })) {
        if (hidden.has(e.name) || names.has(e.name)) continue;
        if (e.isCharacterDevice()) hidden.add(e.name);
        else names.add(e.name);
      }
    }
    return [...names].sort();
  }
}
