// Makes a tar stream of a directory tree: the layer a commit produces from a
// container's overlay upper dir. With `whiteouts: 'oci'`, overlayfs whiteouts
// (0/0 character devices) become `.wh.<name>` entries and opaque directories
// (trusted.overlay.opaque=y) get a `.wh..wh..opq` entry, as the OCI layer format wants.
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
}

/** xattrs that describe the host rather than the file, so they do not travel in layers. */
const isPortableXattr = (name: string) => !name.startsWith('trusted.overlay.') && name !== 'security.selinux';

export function packDirectory(dir: string, opts: PackOptions = {}): Readable {
  const pack = tar.pack();
  produce(pack, path.resolve(dir), opts).then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  // tar-stream's streams are streamx ones: hand out a Node stream.
  return Readable.from(pack);
}

async function produce(pack: tar.Pack, root: string, opts: PackOptions): Promise<void> {
  const native = await hasNative();
  const seenInodes = new Map<string, string>(); // "dev:ino" of multiply-linked files → first name

  const add = (header: Partial<tar.Header> & { name: string }, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });

  async function walk(relDir: string): Promise<void> {
    const names = (await fs.readdir(path.join(root, relDir))).sort();
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const full = path.join(root, rel);
      const st = await fs.lstat(full);
      const base = {
        uid: st.uid,
        gid: st.gid,
        mtime: st.mtime,
        mode: st.mode & 0o7777,
      };

      if (opts.whiteouts === 'oci' && st.isCharacterDevice() && st.rdev === 0) {
        await add({ ...base, name: relDir ? `${relDir}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`, type: 'file', size: 0, mode: 0o600 });
        continue;
      }

      let pax = await xattrPax(full, st, native);
      // tar-stream writes ids as 6 octal digits (max 0o777777); larger ones (userns ranges) go in pax records.
      if (st.uid > 0o777777 || st.gid > 0o777777) pax = { ...pax, uid: String(st.uid), gid: String(st.gid) };
      if (st.isDirectory()) {
        await add({ ...base, name: `${rel}/`, type: 'directory', pax }); // the trailing slash is docker's (and GNU tar's) form
        if (opts.whiteouts === 'oci' && (await lgetxattr(full, OPAQUE_XATTR))?.toString() === 'y') {
          await add({ ...base, name: `${rel}/${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o600 });
        }
        await walk(rel);
      } else if (st.isSymbolicLink()) {
        await add({ ...base, name: rel, type: 'symlink', linkname: await fs.readlink(full), pax });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seenInodes.get(key) : undefined;
        if (first !== undefined) {
          await add({ ...base, name: rel, type: 'link', linkname: first, size: 0 });
          continue;
        }
        if (st.nlink > 1) seenInodes.set(key, rel);
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ ...base, name: rel, type: 'file', size: st.size, pax }, (err) => (err ? reject(err) : resolve()));
          pipeline(createReadStream(full), entry).catch(reject);
        });
      } else if (st.isFIFO()) {
        await add({ ...base, name: rel, type: 'fifo', pax });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await add({
          ...base,
          name: rel,
          type: st.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Math.floor(st.rdev / 256) & 0xfff,
          devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
          pax,
        });
      }
      // Sockets are not archived (nor does docker archive them).
    }
  }

  await walk('');
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
