// `docker diff`: what a container changed in its file system, as dockerd 20.10 reports it.
// dockerd compares the container's view with its image's (archive.ChangesDirs): an entry
// is modified when its type, mode, owner or device differs, or for a non-directory its size,
// mtime or file capabilities; a directory with changes inside is modified too. Only the
// container's overlay upper dir can differ, so only it is walked, each entry against the
// image's layers merged as overlayfs merges them.
import { promises as fs, type BigIntStats } from 'node:fs';
import * as path from 'node:path';
import type { FilesystemChange } from '../../api/types.js';
import { lgetxattr } from '../../archive/fsops.js';
import { isOpaque, isWhiteout, MergedDir } from '../../archive/layer-view.js';
import { ETC_MOUNT_TARGETS, isLeftMountTarget } from '../../runtime/etc-files.js';

enum ChangeKind {
  Modified = 0,
  Added = 1,
  Deleted = 2,
}

/** The stat fields the comparison looks at. */
type Meta = Pick<BigIntStats, 'mode' | 'uid' | 'gid' | 'rdev' | 'size' | 'mtimeNs'>;

const S_IFMT = 0o170000n;
const S_IFDIR = 0o040000n;
const isDir = (meta: Meta) => (meta.mode & S_IFMT) === S_IFDIR;

/**
 * The root directories of dockerd's init layer (under the container's own, above the image).
 * Where an image lacks one the runtime makes it, 0755 and root's, in the container's layer.
 */
const INIT_LAYER_DIRS = new Set(['dev', 'etc', 'proc', 'sys']);
const INIT_LAYER_DIR: Meta = { mode: S_IFDIR | 0o755n, uid: 0n, gid: 0n, rdev: 0n, size: 0n, mtimeNs: 0n };

/**
 * The changes in dockerd's order: a directory's entries by name, each followed by the
 * changes inside it, then the entries it deleted. (dockerd walks Go maps, so its order
 * varies from call to call; this is one of its orders.)
 */
export async function containerChanges(upperDir: string, imageLayerDirs: string[]): Promise<FilesystemChange[]> {
  const image = new MergedDir([...imageLayerDirs].reverse());
  return changesInside(upperDir, '', image, false);
}

/**
 * The changes inside directory `rel` of the container: `image` is the image's copy of it
 * (none: the container made it), `opaque` when the container's copy hides the image's.
 */
async function changesInside(upperDir: string, rel: string, image: MergedDir, opaque: boolean): Promise<FilesystemChange[]> {
  const changes: FilesystemChange[] = [];
  const deleted: string[] = [];
  const present = new Set<string>();
  for (const name of (await fs.readdir(path.join(upperDir, rel))).sort()) {
    const childRel = rel ? `${rel}/${name}` : name;
    const file = path.join(upperDir, childRel);
    const st = await fs.lstat(file, { bigint: true });
    const below = await image.entry(name);
    if (isWhiteout(st)) {
      if (below) deleted.push(childRel);
      continue;
    }
    present.add(name);
    if (ETC_MOUNT_TARGETS.includes(childRel) && isLeftMountTarget(st)) continue;
    const belowMeta = below ? await fs.lstat(below.file, { bigint: true }) : rel === '' && INIT_LAYER_DIRS.has(name) ? INIT_LAYER_DIR : undefined;
    if (!belowMeta) {
      changes.push({ Path: `/${childRel}`, Kind: ChangeKind.Added });
      if (st.isDirectory()) changes.push(...(await changesInside(upperDir, childRel, new MergedDir([]), false)));
      continue;
    }
    const modified = metaDiffers(belowMeta, st) || (below !== undefined && st.isFile() && !(await sameCapabilities(below.file, file)));
    const inside = st.isDirectory() ? await changesInside(upperDir, childRel, isDir(belowMeta) ? await image.child(name) : new MergedDir([]), await isOpaque(file)) : [];
    if (modified || inside.length > 0) changes.push({ Path: `/${childRel}`, Kind: ChangeKind.Modified });
    changes.push(...inside);
  }
  // An opaque directory shows none of the image's entries: those it lacks are deleted.
  if (opaque) for (const name of await image.names()) if (!present.has(name)) deleted.push(rel ? `${rel}/${name}` : name);
  changes.push(...deleted.sort().map((p) => ({ Path: `/${p}`, Kind: ChangeKind.Deleted })));
  return changes;
}

/** dockerd's statDifferent: a directory's size and mtime say nothing, so they do not count. */
function metaDiffers(before: Meta, after: Meta): boolean {
  if (before.mode !== after.mode || before.uid !== after.uid || before.gid !== after.gid || before.rdev !== after.rdev) return true;
  return !isDir(after) && (before.size !== after.size || !sameFsTime(before.mtimeNs, after.mtimeNs));
}

const NS_PER_SECOND = 1_000_000_000n;

/** Go's sameFsTime: equal, or the same second when either lacks nanoseconds (tar keeps none). */
function sameFsTime(a: bigint, b: bigint): boolean {
  return a === b || (a / NS_PER_SECOND === b / NS_PER_SECOND && (a % NS_PER_SECOND === 0n || b % NS_PER_SECOND === 0n));
}

/** File capabilities (security.capability) count too: setcap changes no other field. */
async function sameCapabilities(before: string, after: string): Promise<boolean> {
  const [a, b] = await Promise.all([before, after].map((file) => lgetxattr(file, 'security.capability')));
  return (a ?? Buffer.alloc(0)).equals(b ?? Buffer.alloc(0));
}
