// Names inside tar archives are untrusted. Every entry path goes through here
// before it touches the file system.
import * as path from 'node:path';

/**
 * The entry's path relative to the extraction root, normalised ("./a//b/" → "a/b",
 * "/etc/x" → "etc/x", "a/../b" → "b"), or undefined when it names the root itself
 * or climbs out of it ("../x", "a/../../x").
 */
export function cleanEntryPath(name: string): string | undefined {
  // Absolute names are taken relative to the root, as docker and GNU tar do.
  const normalized = path.posix.normalize('/' + name.replace(/\0.*$/s, ''));
  // normalize('/' + '../x') === '/x' would hide the escape: check the raw parts.
  let depth = 0;
  for (const part of name.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return undefined;
  }
  const rel = normalized.replace(/^\/+/, '').replace(/\/+$/, '');
  return rel === '' ? undefined : rel;
}

/** The same check for a hardlink target, which must also stay inside the root. */
export const cleanLinkTarget = cleanEntryPath;
