// The file side of `docker cp`: stat, archive and extract paths of a container as its
// processes see them (its root filesystem with its binds and etc files over it), for a running
// container and a stopped one alike, with dockerd's path rules, results and errors.
import { promises as fs, type BigIntStats } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { goBase, goFileMode, goPathError, preserveTrailingDotOrSeparator, type ContainerPathStat } from '../../archive/copy.js';
import { ESCAPING_ENTRY, extractTar, OverwriteConflict } from '../../archive/extract.js';
import { packResource } from '../../archive/pack.js';
import { notFound, serverError } from '../../common/errors.js';
import { resolveInScope } from '../../common/scoped-path.js';
import { etcFilePaths } from '../../runtime/etc-files.js';
import { resolveUser } from '../../runtime/user.js';
import type { ContainerRecord } from '../../store/container-store.js';
import { formatRfc3339Nano } from './container-logs.js';
import type { ContainerService } from './containers.js';
import type { EventService } from './events.js';
import { hostMounts } from './mounts.js';

export interface ExtractOptions {
  /** With a container user: every file owned by that user (docker cp -a). */
  copyUIDGID: boolean;
  /** Refuse to replace a directory by a non-directory or the reverse (what the docker CLI asks). */
  noOverwriteDirNonDir: boolean;
}

/** A mount over the root filesystem: a bind (volume) or one of the etc files berth writes. */
interface ViewMount {
  /** The mount point's resolved path in the container, as components. */
  destination: string[];
  source: string;
  readOnly: boolean;
  volume: boolean;
}

/**
 * A container's file system as its processes see it. Paths are resolved component by component
 * with the container's root as `/` (symlinks cannot lead out), and each resolved path is mapped to
 * the host: into the source of the deepest mount that holds it, else into the root filesystem.
 */
class ContainerView {
  private readonly mounts: ViewMount[] = [];

  private constructor(private readonly rootfs: string) {}

  /** The view of a container whose root filesystem is mounted at `rootfs`. */
  static async of(record: ContainerRecord, rootfs: string, containerDir: string): Promise<ContainerView> {
    const view = new ContainerView(rootfs);
    const etc = etcFilePaths(containerDir);
    const etcMounts = [
      { destination: '/etc/hosts', source: etc.hostsPath },
      { destination: '/etc/hostname', source: etc.hostnamePath },
      { destination: '/etc/resolv.conf', source: etc.resolvConfPath },
    ];
    const candidates = [
      ...(await hostMounts(record)).map((m) => ({ ...m, volume: true })),
      ...etcMounts.map((m) => ({ ...m, readOnly: false, volume: false })),
    ];
    // As the runtime mounts them: parents first, each destination resolved in the view so far.
    candidates.sort((a, b) => a.destination.split('/').length - b.destination.split('/').length);
    for (const m of candidates) {
      // A mount follows a symlink at its source; one whose source is gone shows nothing.
      const source = path.isAbsolute(m.source) ? await fs.realpath(m.source).catch(() => undefined) : undefined;
      if (source) view.mounts.push({ ...m, source, destination: await view.resolve(m.destination) });
    }
    return view;
  }

  /** The deepest mount holding the path. */
  mountAt(parts: string[]): ViewMount | undefined {
    let deepest: ViewMount | undefined;
    for (const m of this.mounts) {
      if (m.destination.every((part, i) => parts[i] === part) && m.destination.length >= (deepest?.destination.length ?? 0)) deepest = m;
    }
    return deepest;
  }

  /** What is mounted below the path, by archive entry name: the entry `name` stands for the path. */
  mountsBelow(parts: string[], name: string): Map<string, string> {
    const prefix = name.endsWith('/') ? name : `${name}/`;
    const below = this.mounts.filter((m) => m.destination.length > parts.length && parts.every((part, i) => m.destination[i] === part));
    return new Map(below.map((m) => [prefix + m.destination.slice(parts.length).join('/'), m.source]));
  }

  hostPath(parts: string[]): string {
    const mount = this.mountAt(parts);
    return mount ? path.join(mount.source, ...parts.slice(mount.destination.length)) : path.join(this.rootfs, ...parts);
  }

  /** The path's components with every symlink resolved inside the container (FollowSymlinkInScope). */
  resolve(containerPath: string): Promise<string[]> {
    return resolveInScope(
      containerPath,
      async (parts) => {
        // A mount point is what is mounted there, never a link.
        if (this.mountAt(parts)?.destination.length === parts.length) return undefined;
        const hostPath = this.hostPath(parts);
        const st = await fs.lstat(hostPath).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
          throw err;
        });
        return st?.isSymbolicLink() ? fs.readlink(hostPath) : undefined;
      },
      { followLast: true, tooManyLinks: () => serverError(`too many links in ${containerPath}`) },
    );
  }
}

/** A path located in a container: where it is and what it is. */
interface LocatedPath {
  /** The path as dockerd considers it: absolute, with the request's trailing `/` or `/.`. */
  absPath: string;
  /** The resolved location in the container, as components, and its host path. */
  parts: string[];
  hostPath: string;
  stat: ContainerPathStat;
}

/** What dockerd's unpacking reports comes from a helper process; its errors carry that prefix. */
const TAR_ERROR_PREFIX = 'Error processing tar file(exit status 1): ';

/** The archive endpoints' service (dockerd's ContainerStatPath, ContainerArchivePath, ContainerExtractToDir). */
export class ContainerArchiveService {
  constructor(
    private readonly containers: ContainerService,
    private readonly events: EventService,
  ) {}

  stat(ref: string, requestedPath: string): Promise<ContainerPathStat> {
    return this.containers.withRootfs(ref, async (record, rootfs) => {
      const view = await ContainerView.of(record, rootfs, this.containers.store.dir(record.id));
      return (await locate(view, ref, requestedPath)).stat;
    });
  }

  /**
   * Hands `send` the stat and the tar of the path (named by its base name, as dockerd names it);
   * the container stays locked until send is done with the tar.
   */
  archive(ref: string, requestedPath: string, send: (stat: ContainerPathStat, tar: Readable) => Promise<void>): Promise<void> {
    return this.containers.withRootfs(ref, async (record, rootfs) => {
      const view = await ContainerView.of(record, rootfs, this.containers.store.dir(record.id));
      const located = await locate(view, ref, requestedPath);
      this.events.emit('container', 'archive-path', record.id, this.containers.eventAttributes(record));
      const name = goBase(located.absPath);
      await send(located.stat, packResource(located.hostPath, name, view.mountsBelow(located.parts, name)));
    });
  }

  /** Extracts a tar into the directory at the path, never writing outside it (see extractTar). */
  extract(ref: string, requestedPath: string, input: Readable, opts: ExtractOptions): Promise<void> {
    return this.containers.withRootfs(ref, async (record, rootfs) => {
      const view = await ContainerView.of(record, rootfs, this.containers.store.dir(record.id));
      // Unlike stat and archive, a symlink at the end is followed: one may extract through it.
      const parts = await view.resolve(preserveTrailingDotOrSeparator(path.posix.join('/', requestedPath), requestedPath));
      const destination = `/${parts.join('/')}`;
      const hostPath = view.hostPath(parts);
      const st = await fs.lstat(hostPath).catch((err) => {
        throw fileError(err, ref, requestedPath, destination);
      });
      if (!st.isDirectory()) throw serverError('extraction point is not a directory');
      const mount = view.mountAt(parts);
      if (mount?.volume && mount.readOnly) throw serverError('mounted volume is marked read-only');
      if (!mount?.volume && record.hostConfig.ReadonlyRootfs) throw serverError('container rootfs is marked read-only');
      // docker cp -a: the container's user, looked up in the container (dockerd looks on the host).
      const user = opts.copyUIDGID && record.config.User ? await resolveUser(rootfs, record.config.User) : undefined;
      try {
        await extractTar(input, hostPath, {
          owner: user && { uid: user.uid, gid: user.gid },
          noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
          keepDestination: true,
          onSkip: (name, reason) => {
            if (reason === ESCAPING_ENTRY) throw new Error(`"${name}" is outside of "${destination}"`);
          },
        });
      } catch (err) {
        if (err instanceof OverwriteConflict) {
          const entry = path.posix.join(destination, err.entryPath);
          const [existing, incoming] = err.existingIsDirectory ? ['directory', 'non-directory'] : ['non-directory', 'directory'];
          throw serverError(`${TAR_ERROR_PREFIX}cannot overwrite ${existing} "${entry}" with ${incoming} "${destination}"`);
        }
        throw serverError(`${TAR_ERROR_PREFIX}${(err as Error).message}`);
      }
      this.events.emit('container', 'extract-to-dir', record.id, this.containers.eventAttributes(record));
    });
  }
}

/**
 * dockerd's ResolvePath and StatPath: the directory part resolved in the container, the last
 * element not (a symlink is reported as one, with its resolved target).
 */
async function locate(view: ContainerView, ref: string, requestedPath: string): Promise<LocatedPath> {
  const absPath = preserveTrailingDotOrSeparator(path.posix.join('/', requestedPath), requestedPath);
  const slash = absPath.lastIndexOf('/');
  const base = absPath.slice(slash + 1);
  const dirParts = await view.resolve(absPath.slice(0, slash + 1));
  const parts = base === '' || base === '.' ? dirParts : [...dirParts, base];
  const hostPath = view.hostPath(parts);
  // A trailing "/" or "/." asks for a directory: the kernel checks it.
  const asked = base === '' ? `${hostPath}/` : base === '.' ? `${hostPath}/.` : hostPath;
  const st: BigIntStats = await fs.lstat(asked, { bigint: true }).catch((err) => {
    throw fileError(err, ref, requestedPath, absPath);
  });
  const linkTarget = st.isSymbolicLink() ? `/${(await view.resolve(absPath)).join('/')}` : '';
  return {
    absPath,
    parts,
    hostPath,
    stat: { name: goBase(absPath), size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: formatRfc3339Nano(st.mtimeNs), linkTarget },
  };
}

/** A missing path is dockerd's 404; anything else a 500 naming the container path, not the host's. */
function fileError(err: unknown, ref: string, requestedPath: string, containerPath: string): Error {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return notFound(`Could not find the file ${requestedPath} in container ${ref}`);
  return serverError(goPathError(err, containerPath).message);
}
