// Archive safety: hostile tarballs must write nothing outside the target dir;
// whiteouts convert between OCI and overlayfs forms and back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { decompress, detectCompression } from '../../src/archive/compression.js';
import { extractTar, OPAQUE_XATTR } from '../../src/archive/extract.js';
import { lgetxattr, lsetxattr, mkWhiteout } from '../../src/archive/fsops.js';
import { packDirectory } from '../../src/archive/pack.js';
import '../../src/archive/tar-pax.js';
import { cleanEntryPath } from '../../src/archive/tar-path.js';

type Entry = Partial<tar.Header> & { name: string; body?: string | Buffer; pax?: Record<string, string> };

/** Builds a tar in memory from raw entries (nothing is normalised: that is the point). */
async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ mode: 0o644, mtime: new Date(1_000_000_000_000), ...header }, body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, rel: string) {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
    }
  }
  await walk(dir, '');
  return out.sort();
}

let base: string;
let dest: string;
let outside: string;
const skipped: string[] = [];
const extract = async (entries: Entry[], opts: Parameters<typeof extractTar>[2] = {}) =>
  extractTar(Readable.from(await makeTar(entries)), dest, { whiteouts: 'overlay', onSkip: (n) => skipped.push(n), ...opts });

describe('archive extraction', () => {
  before(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-archive-'));
  });
  after(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  const fresh = async () => {
    dest = path.join(base, `dest-${Math.random().toString(16).slice(2)}`);
    outside = path.join(base, `outside-${Math.random().toString(16).slice(2)}`);
    await fs.mkdir(dest);
    await fs.mkdir(outside);
    skipped.length = 0;
  };

  it('normalises entry names and refuses climbing ones', () => {
    assert.equal(cleanEntryPath('./a//b/'), 'a/b');
    assert.equal(cleanEntryPath('/etc/passwd'), 'etc/passwd');
    assert.equal(cleanEntryPath('a/../b'), 'b');
    assert.equal(cleanEntryPath('../x'), undefined);
    assert.equal(cleanEntryPath('a/../../x'), undefined);
    assert.equal(cleanEntryPath('/../x'), undefined);
    assert.equal(cleanEntryPath('./'), undefined);
  });

  it('never writes outside the target: .., absolute names, symlinked parents, hardlinks out', async () => {
    await fresh();
    const rel = path.relative('/', outside);
    await extract([
      { name: '../escape1', body: 'x' },
      { name: `../${path.basename(outside)}/escape2`, body: 'x' },
      { name: `/${rel}/escape3`, body: 'x' }, // absolute: lands inside dest
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/escape4', body: 'x' },
      { name: 'up', type: 'symlink', linkname: '..' },
      { name: 'up/escape5', body: 'x' },
      { name: 'dir', type: 'directory', mode: 0o755 },
      { name: 'dir', type: 'symlink', linkname: outside }, // a dir replaced by a symlink...
      { name: 'dir/escape6', body: 'x' }, // ...must not be written through
      { name: 'hl', type: 'link', linkname: '/etc/passwd' },
      { name: 'hl2', type: 'link', linkname: '../../../../etc/passwd' },
      { name: 'hl3', type: 'link', linkname: 'link/whatever' },
      { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 },
      { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 },
    ]);
    assert.deepEqual(await fs.readdir(outside), []);
    await assert.rejects(fs.access(path.join(base, 'escape1')));
    const tree = await listTree(dest);
    assert.ok(tree.includes(`${rel}/escape3`), 'absolute names are taken relative to the root');
    for (const name of ['escape4', 'escape5', 'hl', 'hl2', 'hl3', 'null', 'sda']) {
      assert.ok(!tree.some((t) => t.endsWith(name)), `${name} must not exist`);
    }
    assert.equal(await fs.readlink(path.join(dest, 'link')), outside, 'symlinks themselves are kept');
    assert.ok(skipped.includes('link/escape4') && skipped.includes('null') && skipped.includes('hl'));
  });

  it('a file entry over an existing symlink replaces the link, not its target', async () => {
    await fresh();
    await fs.writeFile(path.join(outside, 'victim'), 'safe');
    await extract([
      { name: 'v', type: 'symlink', linkname: path.join(outside, 'victim') },
      { name: 'v', body: 'pwned' },
    ]);
    assert.equal(await fs.readFile(path.join(outside, 'victim'), 'utf8'), 'safe');
    assert.equal(await fs.readFile(path.join(dest, 'v'), 'utf8'), 'pwned');
  });

  it('keeps ownership, setuid bits, mtimes, hardlinks, long names and xattrs', async () => {
    await fresh();
    const long = 'd/' + 'x'.repeat(150) + '/' + 'y'.repeat(120);
    await extract([
      { name: 'bin/', type: 'directory', mode: 0o755, mtime: new Date(1_500_000_000_000) },
      { name: 'bin/su', body: 'elf', mode: 0o4755, uid: 1234, gid: 5678, mtime: new Date(1_400_000_000_000) },
      { name: 'bin/su2', type: 'link', linkname: 'bin/su' },
      { name: 'sym', type: 'symlink', linkname: 'bin/su', uid: 42, gid: 43 },
      { name: 'tmp', type: 'directory', mode: 0o1777 },
      { name: long, body: 'deep' },
      { name: 'cap', body: 'c', pax: { 'SCHILY.xattr.user.bin': Buffer.from([0, 1, 0xff, 0x80]).toString('latin1'), 'SCHILY.xattr.trusted.overlay.redirect': '/etc' } },
      { name: 'fifo', type: 'fifo', mode: 0o600 },
    ]);
    const su = await fs.stat(path.join(dest, 'bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.equal(su.uid, 1234);
    assert.equal(su.gid, 5678);
    assert.equal(su.mtimeMs, 1_400_000_000_000);
    assert.equal(su.nlink, 2);
    assert.equal((await fs.stat(path.join(dest, 'bin'))).mtimeMs, 1_500_000_000_000);
    assert.equal((await fs.lstat(path.join(dest, 'sym'))).uid, 42);
    assert.equal((await fs.stat(path.join(dest, 'tmp'))).mode & 0o7777, 0o1777);
    assert.equal(await fs.readFile(path.join(dest, long), 'utf8'), 'deep');
    assert.ok((await fs.lstat(path.join(dest, 'fifo'))).isFIFO());
    assert.deepEqual(await lgetxattr(path.join(dest, 'cap'), 'user.bin'), Buffer.from([0, 1, 0xff, 0x80]));
    assert.equal(await lgetxattr(path.join(dest, 'cap'), 'trusted.overlay.redirect'), undefined, 'overlay xattrs from archives are dropped');
  });

  it('round-trips large uids (user namespace ranges) through pax records', async () => {
    await fresh();
    const src = path.join(base, `big-${Math.random().toString(16).slice(2)}`);
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'f'), 'x');
    await fs.lchown(path.join(src, 'f'), 1_000_000, 1_000_001);
    const chunks: Buffer[] = [];
    for await (const c of packDirectory(src)) chunks.push(c as Buffer);
    await extractTar(Readable.from(Buffer.concat(chunks)), dest);
    const st = await fs.stat(path.join(dest, 'f'));
    assert.deepEqual([st.uid, st.gid], [1_000_000, 1_000_001]);
  });

  it('converts OCI whiteouts to overlayfs form', async () => {
    await fresh();
    await extract([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.hosts', body: '' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/.wh..wh..opq', body: '' },
      { name: '../.wh.escape', body: '' },
      { name: '.wh...', body: '' },
    ]);
    const wh = await fs.lstat(path.join(dest, 'etc/hosts'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.equal((await lgetxattr(path.join(dest, 'opt'), OPAQUE_XATTR))?.toString(), 'y');
    assert.deepEqual(await listTree(dest), ['etc', 'etc/hosts', 'opt']);
  });

  it('round-trips whiteouts: overlay upper dir → OCI layer → overlay form', async () => {
    await fresh();
    const upper = path.join(base, `upper-${Math.random().toString(16).slice(2)}`);
    await fs.mkdir(path.join(upper, 'etc'), { recursive: true });
    await fs.mkdir(path.join(upper, 'var/cache'), { recursive: true });
    await fs.writeFile(path.join(upper, 'etc/new'), 'n');
    await mkWhiteout(path.join(upper, 'etc/gone'));
    await lsetxattr(path.join(upper, 'var/cache'), OPAQUE_XATTR, Buffer.from('y'));
    await fs.writeFile(path.join(upper, 'var/cache/kept'), 'k');

    const chunks: Buffer[] = [];
    for await (const c of packDirectory(upper, { whiteouts: 'oci' })) chunks.push(c as Buffer);
    const layer = Buffer.concat(chunks);
    const names = execFileSync('tar', ['-t'], { input: layer }).toString().trim().split('\n');
    assert.deepEqual(names, ['etc/', 'etc/.wh.gone', 'etc/new', 'var/', 'var/cache/', 'var/cache/.wh..wh..opq', 'var/cache/kept']);

    await extractTar(Readable.from(layer), dest, { whiteouts: 'overlay' });
    assert.ok((await fs.lstat(path.join(dest, 'etc/gone'))).isCharacterDevice());
    assert.equal((await lgetxattr(path.join(dest, 'var/cache'), OPAQUE_XATTR))?.toString(), 'y');
    assert.equal(await fs.readFile(path.join(dest, 'var/cache/kept'), 'utf8'), 'k');
    assert.deepEqual(await listTree(dest), await listTree(upper));
  });

  it('detects and undoes gzip, bzip2 and xz', async () => {
    const plain = await makeTar([{ name: 'f', body: 'hello' }]);
    const variants: [string, Buffer][] = [
      ['none', plain],
      ['gzip', gzipSync(plain)],
      ['bzip2', execFileSync('bzip2', ['-c'], { input: plain })],
      ['xz', execFileSync('xz', ['-c'], { input: plain })],
    ];
    for (const [kind, data] of variants) {
      assert.equal(detectCompression(data), kind);
      const chunks: Buffer[] = [];
      for await (const c of await decompress(Readable.from(data))) chunks.push(c as Buffer);
      assert.deepEqual(Buffer.concat(chunks), plain, kind);
    }
    await assert.rejects(async () => {
      for await (const _ of await decompress(Readable.from(execFileSync('xz', ['-c'], { input: plain }).subarray(0, 20)))) void _;
    });
  });
});
