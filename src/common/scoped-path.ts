/**
 * Resolves the symlinks of a relative path as if its tree were the root directory
 * (Docker's FollowSymlinkInScope): `..` stops at the top and absolute link targets
 * restart from it, so the result never leaves the tree. `readLink(parts)` gives the
 * target of the link at those components, or undefined when it is not a link.
 * Returns the resolved components.
 */
export async function resolveInScope(
  rel: string,
  readLink: (parts: string[]) => Promise<string | undefined>,
  opts: { followLast: boolean; tooManyLinks: () => Error },
): Promise<string[]> {
  const pending = rel.split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop(); // '..' at the root stays at the root
      continue;
    }
    if (pending.length === 0 && !opts.followLast) {
      resolved.push(part);
      break;
    }
    const target = await readLink([...resolved, part]);
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw opts.tooManyLinks();
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return resolved;
}

/** As the kernel's and Go's limit on links followed in one path. */
const MAX_SYMLINKS = 255;
