// Unpacks a tar stream into a directory, treating the archive as hostile: nothing
// is ever written outside `dest`. The rules:
//  - names are normalised; names that climb out ("../x") are skipped, absolute
//    names are taken relative to dest;
//  - no symlink inside dest is followed: an entry whose parent path crosses a
//    symlink (or a file) is skipped, files are created O_EXCL|O_NOFOLLOW, an
//    existing entry is removed before its replacement is created;
//  - hardlinks only to earlier entries of the same archive;
//  - device files are skipped (whiteouts aside), FIFOs kept;
//  - ownership (lchown), mode bits including setuid/setgid/sticky, mtimes and
//    xattrs (pax SCHILY.xattr.*) are kept; trusted.overlay.* xattrs from the
//    archive are dropped, since they would steer overlayfs (redirects, metacopy).
// With `whiteouts: 'overlay'` OCI whiteouts become overlayfs ones: `.wh.name` → a
// 0/0 character device `name`, `.wh..wh..opq` → trusted.overlay.opaque=y on the dir.
import * as fsSync from 'node:fs';
import { constants } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { lsetxattr, mkfifo, mkWhiteout } from './fsops.js';
import { paxXattrs } from './tar-pax.js';
import { cleanEntryPath, cleanLinkTarget } from './tar-path.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
export const OPAQUE_XATTR = 'trusted.overlay.opaque';
export const ESCAPING_ENTRY = 'path escapes the archive root';

/** An entry that would replace a directory by a non-directory, or the reverse, under noOverwriteDirNonDir. */
export class OverwriteConflict extends Error {
  constructor(
    /** The entry's path relative to the extraction root. */
    readonly entryPath: string,
    readonly existingIsDirectory: boolean,
  ) {
    super(`cannot overwrite ${existingIsDirectory ? 'directory' : 'non-directory'} ${entryPath} with ${existingIsDirectory ? 'non-directory' : 'directory'}`);
  }
}

export interface ExtractOptions {
  /** 'overlay': convert OCI whiteouts to overlayfs form (layers). Default: keep them as plain files. */
  whiteouts?: 'overlay' | 'keep';
  /** Restore uid/gid (needs root). Default true. */
  ownership?: boolean;
  /** One owner for every entry instead of the archive's (`docker cp -a` into a container with a user). */
  owner?: { uid: number; gid: number };
  /** Fail with an OverwriteConflict rather than replace a directory by a non-directory or the reverse. */
  noOverwriteDirNonDir?: boolean;
  /** Leave dest's own owner, mode and time alone ("./" entries), as docker's Untar does. */
  keepDestination?: boolean;
  /** Told about every entry that was not extracted, and why (ESCAPING_ENTRY for names that climb out). */
  onSkip?: (name: string, reason: string) => void;
}

export async function extractTar(input: Readable, dest: string, opts: ExtractOptions = {}): Promise<void> {
  const extractor = new Extractor(path.resolve(dest), opts);
  const parser = tar.extract();
  const feeding = pipeline(input, parser);
  feeding.catch(() => undefined); // reported through the iterator below
  try {
    for await (const entry of parser) {
      try {
        await extractor.entry(entry.header, entry as unknown as AsyncIterable<Buffer>);
      } finally {
        // Drain what the handler did not read, so the parser moves on.
        entry.resume();
      }
    }
    await feeding;
    await extractor.finish();
  } catch (err) {
    input.destroy();
    parser.destroy();
    throw err;
  }
}

// Each entry costs a handful of syscalls. Through libuv's thread pool they made
// extraction ~15x slower than GNU tar, so the extractor makes them synchronously:
// they are short metadata calls on a local disk, and the event loop still runs
// between entries and between the chunks of a file (the tar stream is async).
class Extractor {
  /** Directories known to be real directories (not symlinks) inside dest. */
  private readonly knownDirs = new Set<string>(['']);
  /** Directory mtimes, applied last: creating children changes them. */
  private readonly dirTimes = new Map<string, Date>();

  constructor(
    private readonly dest: string,
    private readonly opts: ExtractOptions,
  ) {}

  private skip(name: string, reason: string): void {
    this.opts.onSkip?.(name, reason);
  }

  async entry(header: tar.Header, body: AsyncIterable<Buffer>): Promise<void> {
    const rel = cleanEntryPath(header.name);
    if (rel === undefined) {
      if (path.posix.normalize('/' + header.name) !== '/') return this.skip(header.name, ESCAPING_ENTRY);
      // The root itself ("./"): keep its owner, mode and time.
      if (header.type === 'directory' && !this.opts.keepDestination) {
        if (this.opts.ownership !== false) fsSync.lchownSync(this.dest, header.uid ?? 0, header.gid ?? 0);
        fsSync.chmodSync(this.dest, (header.mode ?? 0o755) & 0o7777);
        this.dirTimes.set('', header.mtime ?? new Date(0));
      }
      return;
    }
    const base = path.posix.basename(rel);
    const parentRel = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);

    if (this.opts.whiteouts === 'overlay' && base.startsWith(WHITEOUT_PREFIX)) {
      return this.whiteout(header.name, parentRel, base);
    }
    if (!this.ensureParent(parentRel)) return this.skip(header.name, 'parent is not a directory');

    const target = path.join(this.dest, rel);
    // tar-stream applies pax path/linkpath/size but not uid/gid (ids past 2097151 need them).
    const pax = (header.pax ?? {}) as Record<string, string>;
    const uid = this.opts.owner?.uid ?? (pax.uid !== undefined ? Number(pax.uid) : (header.uid ?? 0));
    const gid = this.opts.owner?.gid ?? (pax.gid !== undefined ? Number(pax.gid) : (header.gid ?? 0));
    const mode = (header.mode ?? 0o644) & 0o7777;
    const mtime = header.mtime ?? new Date(0);
    // Create without looking first (the common case: nothing there); on EEXIST
    // remove what is there (never following it) and try again.
    const create = (make: () => void) => {
      try {
        make();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (this.opts.noOverwriteDirNonDir && lstatOrNull(target)?.isDirectory()) throw new OverwriteConflict(rel, true);
        fsSync.rmSync(target, { recursive: true, force: true });
        this.forgetDirs(rel);
        make();
      }
    };
    let fd: number | undefined;
    switch (header.type) {
      case 'directory': {
        const existing = lstatOrNull(target);
        if (existing && !existing.isDirectory()) {
          if (this.opts.noOverwriteDirNonDir) throw new OverwriteConflict(rel, false);
          fsSync.rmSync(target, { force: true });
          this.forgetDirs(rel);
        }
        if (!existing?.isDirectory()) fsSync.mkdirSync(target, { mode: 0o700 });
        this.knownDirs.add(rel);
        this.dirTimes.set(rel, mtime);
        break;
      }
      case 'file':
      case 'contiguous-file':
        create(() => {
          fd = fsSync.openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        });
        try {
          for await (const chunk of body) {
            for (let off = 0; off < chunk.length; ) off += fsSync.writeSync(fd!, chunk, off);
          }
        } catch (err) {
          fsSync.closeSync(fd!);
          throw err;
        }
        break;
      case 'symlink':
        create(() => fsSync.symlinkSync(header.linkname ?? '', target));
        break;
      case 'link': {
        const source = this.linkSource(header.linkname ?? '');
        if (!source) return this.skip(header.name, `hardlink target ${header.linkname} is not in the archive`);
        if (source === target) return;
        create(() => fsSync.linkSync(source, target));
        return; // a hardlink shares its inode's owner, mode and times
      }
      case 'fifo': {
        const existing = lstatOrNull(target);
        if (existing) {
          if (this.opts.noOverwriteDirNonDir && existing.isDirectory()) throw new OverwriteConflict(rel, true);
          fsSync.rmSync(target, { recursive: true, force: true });
          this.forgetDirs(rel);
        }
        await mkfifo(target, mode);
        break;
      }
      case 'character-device':
      case 'block-device':
        return this.skip(header.name, 'device files are not extracted');
      default:
        return this.skip(header.name, `unsupported entry type ${header.type}`);
    }

    try {
      if (fd !== undefined) {
        // Through the descriptor: no path lookups, no chance of following anything.
        if (this.opts.ownership !== false) fsSync.fchownSync(fd, uid, gid);
        fsSync.fchmodSync(fd, mode); // after chown, which clears setuid
        fsSync.futimesSync(fd, mtime, mtime);
      } else {
        if (this.opts.ownership !== false) fsSync.lchownSync(target, uid, gid);
        if (header.type === 'symlink') fsSync.lutimesSync(target, mtime, mtime);
        else {
          fsSync.chmodSync(target, mode);
          if (header.type !== 'directory') fsSync.utimesSync(target, mtime, mtime);
        }
      }
    } finally {
      if (fd !== undefined) fsSync.closeSync(fd);
    }
    for (const [name, value] of paxXattrs(pax)) {
      if (name.startsWith('trusted.overlay.')) continue;
      await lsetxattr(target, name, value);
    }
  }

  async finish(): Promise<void> {
    // Deepest first, so setting a child's time does not disturb its parent's.
    const dirs = [...this.dirTimes].sort((a, b) => b[0].length - a[0].length);
    for (const [rel, time] of dirs) {
      try {
        fsSync.utimesSync(path.join(this.dest, rel), time, time);
      } catch {
        /* removed by a later entry */
      }
    }
  }

  private async whiteout(name: string, parentRel: string, base: string): Promise<void> {
    if (!this.ensureParent(parentRel)) return this.skip(name, 'parent is not a directory');
    const parent = path.join(this.dest, parentRel);
    if (base === OPAQUE_WHITEOUT) {
      await lsetxattr(parent, OPAQUE_XATTR, Buffer.from('y'));
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return this.skip(name, 'unknown whiteout meta file');
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') return this.skip(name, 'invalid whiteout');
    const target = path.join(parent, hidden);
    fsSync.rmSync(target, { recursive: true, force: true });
    this.forgetDirs(path.posix.join(parentRel, hidden));
    await mkWhiteout(target);
  }

  /** Makes sure every component of `rel` is a real directory, creating missing ones; false if one is not. */
  private ensureParent(rel: string): boolean {
    if (this.knownDirs.has(rel)) return true;
    let current = '';
    for (const part of rel.split('/')) {
      current = current ? `${current}/${part}` : part;
      if (this.knownDirs.has(current)) continue;
      const full = path.join(this.dest, current);
      const st = lstatOrNull(full);
      if (!st) {
        fsSync.mkdirSync(full, { mode: 0o755 });
      } else if (!st.isDirectory()) {
        return false; // a symlink or a file: never write through it
      }
      this.knownDirs.add(current);
    }
    return true;
  }

  /** The absolute path of a hardlink's target, if it is an existing non-directory inside dest reached without symlinks. */
  private linkSource(linkname: string): string | undefined {
    const rel = cleanLinkTarget(linkname);
    if (rel === undefined) return undefined;
    const parentRel = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    for (let current = parentRel; current !== ''; current = path.posix.dirname(current) === '.' ? '' : path.posix.dirname(current)) {
      const st = lstatOrNull(path.join(this.dest, current));
      if (!st || !st.isDirectory()) return undefined;
    }
    const source = path.join(this.dest, rel);
    const st = lstatOrNull(source);
    if (!st || st.isDirectory()) return undefined;
    return source;
  }

  private forgetDirs(rel: string): void {
    for (const dir of this.knownDirs) {
      if (dir === rel || dir.startsWith(rel + '/')) this.knownDirs.delete(dir);
    }
    for (const dir of this.dirTimes.keys()) {
      if (dir === rel || dir.startsWith(rel + '/')) this.dirTimes.delete(dir);
    }
  }
}

function lstatOrNull(file: string): fsSync.Stats | null {
  try {
    return fsSync.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
