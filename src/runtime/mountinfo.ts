import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { native } from '../kernel/native.js';

/** The mount points of berthd's namespace (/proc/self/mountinfo, with its octal escapes decoded). */
export function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}

/** Whether something is mounted on `dir` itself (a bind of a directory of the same filesystem too). */
export function isMounted(dir: string): boolean {
  const target = path.resolve(dir);
  return mountPoints().includes(target);
}

/**
 * Detaches every mount on or under `dir`, deepest first, so that deleting `dir` can never
 * reach into what they show (a bind volume's host directory, say). Throws if one stays.
 */
export function unmountAllUnder(dir: string): void {
  const root = path.resolve(dir);
  const under = () => mountPoints().filter((m) => m === root || m.startsWith(`${root}/`));
  // A mount point can hold a stack of mounts: a few rounds take them all.
  for (let round = 0; round < 8 && under().length; round++) {
    for (const m of under().sort((a, b) => b.length - a.length)) native.umount(m, true);
  }
  const left = under();
  if (left.length) throw new Error(`still mounted: ${left.join(', ')}`);
}
