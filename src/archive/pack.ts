// Makes tar streams of directory trees: the layer a commit produces from a container's
// overlay upper dir, and the tar of one file or tree that `docker cp` reads. With
// `whiteouts: 'oci'`, overlayfs whiteouts (0/0 character devices) become `.wh.<name>`
// entries and opaque directories (trusted.overlay.opaque=y) get a `.wh..wh..opq` entry,
// as the OCI layer format wants.
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { OPAQUE_WHITEOUT, OPAQUE_XATTR, WHITEOUT_PREFIX } from './extract.js';
import { hasNative, lgetxattr, llistxattr } from './fsops.js';
import { XATTR_PREFIX } from './tar-pax.js';

export interface PackOptions {
  whiteouts?: 'oci' | 'keep';
  /** Host paths archived in place of the entries so named (what is mounted over them). */
  mounted?: Map<string, string>;
}

/** xattrs that describe the host rather than the file, so they do not travel in layers. */
const isPortableXattr = (name: string) => !name.startsWith('trusted.overlay.') && name !== 'security.selinux';

export function packDirectory(dir: string, opts: PackOptions = {}): Readable {
  return packing(opts, (packer) => packer.children(path.resolve(dir), ''));
}

/**
 * A tar of one file or directory tree, the tar of `docker cp` (docker's TarResourceRebase):
 * the source is named `name` in the archive and a directory's contents follow as `name/...`;
 * the name `/` gives `/`, `/bin/`, ... (the root of a container). `mounted` maps entry names
 * to what is mounted there (a container's binds), which is archived instead.
 */
export function packResource(source: string, name: string, mounted = new Map<string, string>()): Readable {
  return packing({ mounted }, async (packer) => {
    const full = path.resolve(source);
    await packer.entry(full, name, await fs.lstat(full));
  });
}

function packing(opts: PackOptions, produce: (packer: Packer) => Promise<void>): Readable {
  const pack = tar.pack();
  hasNative()
    .then((native) => produce(new Packer(pack, opts, native)))
    .then(
      () => pack.finalize(),
      (err: Error) => pack.destroy(err),
    );
  // tar-stream's streams are streamx ones: hand out a Node stream.
  return Readable.from(pack);
}

class Packer {
  private readonly seenInodes = new Map<string, string>(); // "dev:ino" of multiply-linked files → first name

  constructor(
    private readonly pack: tar.Pack,
    private readonly opts: PackOptions,
    private readonly native: boolean,
  ) {}

  private add(header: Partial<tar.Header> & { name: string }, body?: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** The entries of a directory's contents, named `<prefix><name>`, in name order. */
  async children(dir: string, prefix: string): Promise<void> {
    for (const name of (await fs.readdir(dir)).sort()) {
      const full = this.opts.mounted?.get(prefix + name) ?? path.join(dir, name);
      await this.entry(full, prefix + name, await fs.lstat(full));
    }
  }

  /** The entry of one file (and, for a directory, of everything under it). */
  async entry(full: string, name: string, st: Stats): Promise<void> {
    const base = {
      uid: st.uid,
      gid: st.gid,
      mtime: st.mtime,
      mode: st.mode & 0o7777,
    };
    const { dir: parentName, base: baseName } = path.posix.parse(name);
    const siblingName = (entry: string) => (parentName ? `${parentName}/${entry}` : entry);

    if (this.opts.whiteouts === 'oci' && st.isCharacterDevice() && st.rdev === 0) {
      await this.add({ ...base, name: siblingName(`${WHITEOUT_PREFIX}${baseName}`), type: 'file', size: 0, mode: 0o600 });
      return;
    }

    let pax = await xattrPax(full, st, this.native);
    // tar-stream writes ids as 6 octal digits (max 0o777777); larger ones (userns ranges) go in pax records.
    if (st.uid > 0o777777 || st.gid > 0o777777) pax = { ...pax, uid: String(st.uid), gid: String(st.gid) };
    if (st.isDirectory()) {
      const dirName = name.endsWith('/') ? name : `${name}/`; // the trailing slash is docker's (and GNU tar's) form
      await this.add({ ...base, name: dirName, type: 'directory', pax });
      if (this.opts.whiteouts === 'oci' && (await lgetxattr(full, OPAQUE_XATTR))?.toString() === 'y') {
        await this.add({ ...base, name: `${dirName}${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o600 });
      }
      await this.children(full, dirName);
    } else if (st.isSymbolicLink()) {
      await this.add({ ...base, name, type: 'symlink', linkname: await fs.readlink(full), pax });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? this.seenInodes.get(key) : undefined;
      if (first !== undefined) {
        await this.add({ ...base, name, type: 'link', linkname: first, size: 0 });
        return;
      }
      if (st.nlink > 1) this.seenInodes.set(key, name);
      await new Promise<void>((resolve, reject) => {
        const entry = this.pack.entry({ ...base, name, type: 'file', size: st.size, pax }, (err) => (err ? reject(err) : resolve()));
        pipeline(createReadStream(full), entry).catch(reject);
      });
    } else if (st.isFIFO()) {
      await this.add({ ...base, name, type: 'fifo', pax });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await this.add({
        ...base,
        name,
        type: st.isCharacterDevice() ? 'character-device' : 'block-device',
        devmajor: Math.floor(st.rdev / 256) & 0xfff,
        devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
        pax,
      });
    }
    // Sockets are not archived (nor does docker archive them).
  }
}

/** The portable xattrs of a file as pax records, or undefined when it has none. */
async function xattrPax(file: string, st: Stats, native: boolean): Promise<Record<string, string> | undefined> {
  // Without the addon, listing xattrs costs a process per file: too slow for a
  // commit, so layers then carry no xattrs (only opaque dirs are still looked for).
  if (!native || st.isSymbolicLink()) return undefined;
  const names = (await llistxattr(file)).filter(isPortableXattr);
  if (names.length === 0) return undefined;
  const pax: Record<string, string> = {};
  for (const name of names) {
    const value = await lgetxattr(file, name);
    if (value) pax[XATTR_PREFIX + name] = value.toString('latin1');
  }
  return pax;
}
