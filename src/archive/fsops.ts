// The few file operations Node 20 lacks (mknod, xattrs), through the native addon.
// The addon may not be built (it is optional at development time and on hosts
// without a compiler), so each call falls back to a helper process: slower, but
// these calls are rare (whiteouts, opaque dirs, files that carry xattrs).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NativeBinding } from '../kernel/native.js';

const run = promisify(execFile);
let nativePromise: Promise<NativeBinding | null> | undefined;

function loadNative(): Promise<NativeBinding | null> {
  nativePromise ??= import('../kernel/native.js').then(
    (m) => m.native,
    () => null,
  );
  return nativePromise;
}

const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

/** An overlayfs whiteout: a 0/0 character device. */
export async function mkWhiteout(file: string): Promise<void> {
  const n = await loadNative();
  if (n) return n.mknod(file, S_IFCHR | 0o000, 0, 0);
  await run('mknod', ['-m', '000', file, 'c', '0', '0']);
}

export async function mkfifo(file: string, mode: number): Promise<void> {
  const n = await loadNative();
  if (n) return n.mknod(file, S_IFIFO | (mode & 0o7777), 0, 0);
  await run('mknod', ['-m', (mode & 0o7777).toString(8), file, 'p']);
}

// python3's os module has the l*xattr calls; the values travel as hex.
const PY_SET = 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), follow_symlinks=False)';
const PY_GET = [
  'import os,sys',
  'try: sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())',
  'except OSError as e:',
  '  if e.errno != 61: raise',
  '  sys.stdout.write("-")',
].join('\n');
const PY_LIST = 'import os,sys; sys.stdout.write("\\0".join(os.listxattr(sys.argv[1], follow_symlinks=False)))';

export async function lsetxattr(file: string, name: string, value: Buffer): Promise<void> {
  const n = await loadNative();
  if (n) return n.lsetxattr(file, name, value);
  await run('python3', ['-c', PY_SET, file, name, value.toString('hex')]);
}

export async function lgetxattr(file: string, name: string): Promise<Buffer | undefined> {
  const n = await loadNative();
  if (n) return n.lgetxattr(file, name);
  const { stdout } = await run('python3', ['-c', PY_GET, file, name]);
  return stdout === '-' ? undefined : Buffer.from(stdout, 'hex');
}

export async function llistxattr(file: string): Promise<string[]> {
  const n = await loadNative();
  if (n) return n.llistxattr(file);
  const { stdout } = await run('python3', ['-c', PY_LIST, file]);
  return stdout === '' ? [] : stdout.split('\0');
}

/** Whether the native addon is in use (tests and diagnostics). */
export async function hasNative(): Promise<boolean> {
  return (await loadNative()) !== null;
}
