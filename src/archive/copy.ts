// docker's pkg/archive/copy.go: the path rules of `docker cp` (berthd's archive endpoints use
// them to name what they archive, the CLI to decide where what it copies lands) and the CLI's
// local side: which local path a copy reads or writes, the renaming of archive entries that
// makes `cp SRC DEST` land as DEST, and the extraction of what comes out of a container.
import { promises as fs, realpath } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as tar from 'tar-stream';
import { extractTar } from './extract.js';
import { packResource } from './pack.js';

/** What berthd tells of a path in a container, in `X-Docker-Container-Path-Stat` (types.ContainerPathStat). */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits (GO_MODE). */
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Go's os.FileMode type and special bits; past 2^31, so they are added and tested arithmetically. */
export const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

export function hasModeBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

/** A stat's st_mode (type and permission bits) as Go's os.FileMode, what `Lstat(...).Mode()` gives dockerd. */
export function goFileMode(statMode: number): number {
  let mode = statMode & 0o777;
  if (statMode & 0o4000) mode += GO_MODE.setuid;
  if (statMode & 0o2000) mode += GO_MODE.setgid;
  if (statMode & 0o1000) mode += GO_MODE.sticky;
  switch (statMode & 0o170000) {
    case 0o040000:
      return mode + GO_MODE.dir;
    case 0o120000:
      return mode + GO_MODE.symlink;
    case 0o060000:
      return mode + GO_MODE.device;
    case 0o020000:
      return mode + GO_MODE.device + GO_MODE.charDevice;
    case 0o010000:
      return mode + GO_MODE.namedPipe;
    case 0o140000:
      return mode + GO_MODE.socket;
    default:
      return mode;
  }
}

// ---- path rules (Go's filepath semantics: trailing separators and "." matter) ----

/** filepath.Clean: no trailing separator but for the root, "." for nothing. */
export function goClean(p: string): string {
  const normalized = path.posix.normalize(p);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

/** filepath.Base: the last element, "/" for the root, "." for nothing. */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

const specifiesCurrentDir = (p: string) => goBase(p) === '.';
const hasTrailingSeparator = (p: string) => p.endsWith('/');
/** The path asserts a directory: it ends in `/` or `/.`. */
const assertsDirectory = (p: string) => hasTrailingSeparator(p) || specifiesCurrentDir(p);

/** Gives a cleaned path back the trailing `/` or `/.` of the path it was cleaned from. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(out)) out += '/';
    out += '.';
  }
  if (!hasTrailingSeparator(out) && hasTrailingSeparator(original)) out += '/';
  return out;
}

/** The directory and base name of a cleaned path, keeping a trailing "." as the base. */
export function splitPathDirEntry(p: string): { dir: string; base: string } {
  let cleaned = goClean(p);
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return { dir: path.posix.dirname(cleaned), base: goBase(cleaned) };
}

/** The resolved path with `path`'s trailing `/` or `/.`, and the name to give entries when the last element changed. */
export function getRebaseName(original: string, resolved: string): { resolved: string; rebaseName: string } {
  let out = resolved;
  if (specifiesCurrentDir(original) && !specifiesCurrentDir(out)) out += '/.';
  if (hasTrailingSeparator(original) && !hasTrailingSeparator(out)) out += '/';
  return { resolved: out, rebaseName: goBase(original) !== goBase(out) ? goBase(original) : '' };
}

// ---- the CLI's local side ----

/** A source or destination of a copy (archive.CopyInfo). */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  /** The name the source's entries take in the archive, when not its own base name. */
  rebaseName: string;
}

/**
 * Node's "ENOENT: no such file or directory, lstat '/x'" as Go words it: "lstat /x: no such file
 * or directory"; `shownPath` instead of the path the call was given.
 */
export function goPathError(err: unknown, shownPath?: string): Error {
  const e = err as NodeJS.ErrnoException;
  const description = /^[A-Z0-9_]+: (.*?), /.exec(e.message)?.[1];
  return e.syscall && e.path && description ? new Error(`${e.syscall} ${shownPath ?? e.path}: ${description}`) : (err as Error);
}

// Node's JavaScript realpath walks with lstat, so its errors name the element that is missing, as Go's EvalSymlinks does.
const evalSymlinks = promisify(realpath);

/**
 * The local source of a copy: symlinks resolved before the last element, or everywhere with
 * followLink (the archive then names the entries as the path the user gave).
 */
export async function copyInfoSourcePath(source: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebaseName = '';
  try {
    if (followLink) {
      ({ resolved, rebaseName } = getRebaseName(source, await evalSymlinks(source)));
    } else {
      const slash = source.lastIndexOf('/');
      const dir = source.slice(0, slash + 1);
      const base = source.slice(slash + 1);
      resolved = `${await evalSymlinks(dir)}/${base}`.replace(/^\/\//, '/');
      if (hasTrailingSeparator(source) && goBase(source) !== goBase(resolved)) rebaseName = goBase(source);
    }
    const st = await fs.lstat(resolved);
    return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
  } catch (err) {
    throw goPathError(err);
  }
}

/** At most this many symlinks are followed at a destination (docker's own limit). */
const MAX_DESTINATION_LINKS = 10;

/** The local destination of a copy: a final symlink is followed; a missing path needs an existing parent directory. */
export async function copyInfoDestinationPath(destination: string): Promise<CopyInfo> {
  let current = destination;
  for (let links = 0; ; links++) {
    const st = await fs.lstat(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw goPathError(err);
    });
    if (st && !st.isSymbolicLink()) return { path: current, exists: true, isDir: st.isDirectory(), rebaseName: '' };
    if (!st) {
      const parent = splitPathDirEntry(current).dir;
      const parentStat = await fs.stat(parent).catch((err) => {
        throw goPathError(err);
      });
      if (!parentStat.isDirectory()) throw new Error('not a directory');
      return { path: current, exists: false, isDir: false, rebaseName: '' };
    }
    if (links >= MAX_DESTINATION_LINKS) throw new Error(`too many symlinks in ${destination}`);
    const target = await fs.readlink(current);
    current = target.startsWith('/') ? target : path.join(splitPathDirEntry(current).dir, target);
  }
}

/** The tar of a local source, its entries named by its base name or its rebase name (archive.TarResource). */
export function tarResource(source: CopyInfo): Readable {
  const { dir, base } = splitPathDirEntry(source.path);
  return packResource(path.join(dir, base), source.rebaseName || base);
}

/**
 * Where to extract an archive of `source` so that it lands as `destination` says, and the
 * archive with its entries renamed when it must land under another name (archive.PrepareArchiveCopy).
 */
export function prepareArchiveCopy(content: Readable, source: CopyInfo, destination: CopyInfo): { dstDir: string; content: Readable } {
  const { dir: dstDir, base: dstBase } = splitPathDirEntry(destination.path);
  const srcBase = source.rebaseName || splitPathDirEntry(source.path).base;
  if (destination.exists && destination.isDir) return { dstDir: destination.path, content };
  if (destination.exists && source.isDir) throw new Error('cannot copy directory');
  if (!destination.exists && !source.isDir && assertsDirectory(destination.path)) throw new Error('no such directory');
  return { dstDir, content: rebaseArchiveEntries(content, srcBase, dstBase) };
}

/** The archive with the first `oldBase` of each entry name (and hardlink target) replaced by `newBase`. */
export function rebaseArchiveEntries(content: Readable, oldBase: string, newBase: string): Readable {
  // The root's entries all start with "/": keep it.
  const from = oldBase === '/' ? '' : oldBase;
  const extract = tar.extract();
  const pack = tar.pack();
  const rename = async () => {
    for await (const entry of extract) {
      const header = { ...entry.header, name: entry.header.name.replace(from, newBase) };
      if (header.type === 'link' && header.linkname) header.linkname = header.linkname.replace(from, newBase);
      // The pax path records hold the old names; the packer writes the new ones.
      if (header.pax) header.pax = Object.fromEntries(Object.entries(header.pax).filter(([key]) => key !== 'path' && key !== 'linkpath'));
      const hasBody = (header.type === 'file' || header.type === 'contiguous-file') && (header.size ?? 0) > 0;
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error | null) => (err ? reject(err) : resolve());
        if (hasBody) pipeline(entry as unknown as Readable, pack.entry(header, done)).catch(reject);
        else {
          entry.resume();
          pack.entry(header, Buffer.alloc(0), done);
        }
      });
    }
  };
  pipeline(content, extract).catch((err: Error) => pack.destroy(err));
  rename().then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return Readable.from(pack);
}

/** Extracts what came out of a container to a local destination (archive.CopyTo): the CLI user owns the files. */
export async function copyTo(content: Readable, source: CopyInfo, destinationPath: string): Promise<void> {
  const destination = await copyInfoDestinationPath(destinationPath);
  const prepared = prepareArchiveCopy(content, source, destination);
  await extractTar(prepared.content, prepared.dstDir, { ownership: false, noOverwriteDirNonDir: true, keepDestination: true });
}
