// mount(8)-style option strings as moby/sys/mount reads them: the words it knows become
// MS_* flags, the rest the filesystem's data. The local volume driver mounts its `o=`
// options this way; tmpfs mounts merge theirs with dockerd's defaults.
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, native } from '../kernel/native.js';

const MS_SYNCHRONOUS = 0x10;
const MS_REMOUNT = 0x20;
const MS_MANDLOCK = 0x40;
const MS_DIRSYNC = 0x80;
const MS_NOATIME = 0x400;
const MS_NODIRATIME = 0x800;
const MS_UNBINDABLE = 1 << 17;
const MS_SLAVE = 1 << 19;
const MS_SHARED = 1 << 20;
const MS_RELATIME = 1 << 21;
const MS_STRICTATIME = 1 << 24;

const PROPAGATION = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

/** Each word's flag, and whether it clears the flag rather than sets it (moby/sys/mount's table). */
const FLAGS: Record<string, { flag: number; clear?: true }> = {
  ro: { flag: MS_RDONLY },
  rw: { flag: MS_RDONLY, clear: true },
  suid: { flag: MS_NOSUID, clear: true },
  nosuid: { flag: MS_NOSUID },
  dev: { flag: MS_NODEV, clear: true },
  nodev: { flag: MS_NODEV },
  exec: { flag: MS_NOEXEC, clear: true },
  noexec: { flag: MS_NOEXEC },
  sync: { flag: MS_SYNCHRONOUS },
  async: { flag: MS_SYNCHRONOUS, clear: true },
  dirsync: { flag: MS_DIRSYNC },
  remount: { flag: MS_REMOUNT },
  mand: { flag: MS_MANDLOCK },
  nomand: { flag: MS_MANDLOCK, clear: true },
  atime: { flag: MS_NOATIME, clear: true },
  noatime: { flag: MS_NOATIME },
  diratime: { flag: MS_NODIRATIME, clear: true },
  nodiratime: { flag: MS_NODIRATIME },
  bind: { flag: MS_BIND },
  rbind: { flag: MS_BIND | MS_REC },
  unbindable: { flag: MS_UNBINDABLE },
  runbindable: { flag: MS_UNBINDABLE | MS_REC },
  private: { flag: MS_PRIVATE },
  rprivate: { flag: MS_PRIVATE | MS_REC },
  shared: { flag: MS_SHARED },
  rshared: { flag: MS_SHARED | MS_REC },
  slave: { flag: MS_SLAVE },
  rslave: { flag: MS_SLAVE | MS_REC },
  relatime: { flag: MS_RELATIME },
  norelatime: { flag: MS_RELATIME, clear: true },
  strictatime: { flag: MS_STRICTATIME },
  nostrictatime: { flag: MS_STRICTATIME, clear: true },
};

/** The data keys tmpfs takes. */
const TMPFS_DATA = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/** `o=` options as flags and data: `size=10m,noexec` → MS_NOEXEC and "size=10m". */
export function parseMountOptions(options: string): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const option of options.split(',')) {
    if (option === '' || option === 'defaults') continue;
    const known = FLAGS[option];
    if (!known) data.push(option);
    else if (known.clear) flags &= ~known.flag;
    else flags |= known.flag;
  }
  return { flags, data: data.join(',') };
}

/**
 * mount(2) as moby/sys/mount does it: the mount itself, then the propagation change, then a
 * remount that makes a read-only bind read only (a bind ignores MS_RDONLY the first time).
 */
export function mountWithOptions(device: string, target: string, type: string, options: string): void {
  const { flags, data } = parseMountOptions(options);
  const plain = flags & ~PROPAGATION;
  native.mount(device, target, type, plain, data);
  if (flags & PROPAGATION) native.mount('', target, '', flags & (PROPAGATION | MS_REC), '');
  if ((plain & (MS_BIND | MS_RDONLY)) === (MS_BIND | MS_RDONLY)) native.mount('', target, '', plain | MS_REMOUNT, '');
}

/**
 * dockerd's MergeTmpfsOptions: later options win over earlier ones that set the same flag
 * (any two propagation modes collide) or the same data key; order is kept otherwise.
 */
export function mergeTmpfsOptions(options: string[]): string[] {
  const flagsSeen = new Set<number>();
  const dataSeen = new Set<string>();
  const merged: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i];
    if (option === 'defaults') continue;
    const known = FLAGS[option];
    if (known) {
      const key = known.flag & PROPAGATION ? -1 : known.flag;
      if (!flagsSeen.has(key)) merged.unshift(option);
      flagsSeen.add(key);
      continue;
    }
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    if (eq < 0 || !TMPFS_DATA.has(key)) {
      const parts = eq < 0 ? [option] : [key, option.slice(eq + 1)];
      throw new Error(`invalid tmpfs option [${parts.map((p) => JSON.stringify(p)).join(' ')}]`);
    }
    if (!dataSeen.has(key)) merged.unshift(option);
    dataSeen.add(key);
  }
  return merged;
}
