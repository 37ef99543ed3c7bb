// Resolves Docker's `--user` (Config.User) and `--group-add` against the container's own
// /etc/passwd and /etc/group, the way dockerd does through runc's libcontainer/user
// (GetExecUser, GetAdditionalGroups), so ids, supplementary groups and error texts match.
import { constants } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { serverError } from '../common/errors.js';
import { resolveInScope } from '../common/scoped-path.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** The primary gid first, then the user's groups, then --group-add (as dockerd 20.10.24). */
  additionalGids: number[];
  /** From the passwd entry; "/" when there is none (runc's default for HOME). */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2147483647;
/** A bigger passwd/group is not worth reading at container start. */
const MAX_FILE_BYTES = 16 << 20;

const NO_PASSWD_ENTRIES = 'no matching entries in passwd file';
const NO_GROUP_ENTRIES = 'no matching entries in group file';
const RANGE_ERROR = `uids and gids must be in range 0-${MAX_ID}`;

/**
 * Resolves `spec` ('', 'name', 'uid', 'name:group', 'uid:gid', 'name:gid', 'uid:group')
 * inside `rootfs`. Names need the container's files; numeric ids work without them.
 * Errors carry Docker's text (dockerd reports them from start as 500s).
 */
export async function resolveUser(rootfs: string, spec: string, groupAdd: string[] = []): Promise<ResolvedUser> {
  const passwdText = await readFileInRoot(rootfs, '/etc/passwd');
  const groupText = await readFileInRoot(rootfs, '/etc/group');
  const passwd = passwdText === null ? [] : parsePasswd(passwdText);
  const groups = groupText === null ? [] : parseGroup(groupText);

  // Like Go's parseLine: the first two ':'-separated fields; more are ignored.
  const [userArg = '', groupArg = ''] = spec.split(':');
  const uidArg = parseId(userArg);
  const gidArg = parseId(groupArg);

  let uid = 0;
  let gid = 0;
  let home = '/';
  let sgids: number[] = [];

  const user = passwd.find((u) => {
    if (userArg === '') return u.uid === 0; // no --user: root's entry, if any
    if (uidArg !== null) return u.uid === uidArg; // numeric is always a uid
    return u.name === userArg;
  });
  if (user) {
    uid = user.uid;
    gid = user.gid;
    home = user.home || '/';
  } else if (userArg !== '') {
    if (uidArg === null) throw serverError(`unable to find user ${userArg}: ${NO_PASSWD_ENTRIES}`);
    uid = checkRange(uidArg);
  }

  if (groupArg !== '') {
    const group = groups.find((g) => (gidArg !== null ? g.gid === gidArg : g.name === groupArg));
    if (group) gid = group.gid;
    else if (gidArg === null) throw serverError(`unable to find group ${groupArg}: ${NO_GROUP_ENTRIES}`);
    else gid = checkRange(gidArg);
  } else if (user) {
    // Supplementary groups only in the implicit form, as libcontainer does.
    sgids = groups.filter((g) => g.members.includes(user.name)).map((g) => g.gid);
  }

  const extra = resolveGroupAdd(groupAdd, groups);
  return { uid, gid, additionalGids: unique([gid, ...sgids, ...extra]), home };
}

/** Docker's --group-add: group names or gids, names looked up in the container. */
function resolveGroupAdd(groupAdd: string[], groups: GroupEntry[]): number[] {
  return groupAdd.map((ag) => {
    const match = groups.find((g) => g.name === ag || String(g.gid) === ag);
    if (match) return match.gid;
    const gid = parseId(ag);
    if (gid === null) throw serverError(`Unable to find group ${ag}`);
    return checkRange(gid);
  });
}

/**
 * Returns env with HOME=<home> appended unless it sets HOME already. runc and crun do this
 * themselves for the container's main process (dockerd writes no HOME into the spec, and
 * `docker inspect` shows none); use it where berth starts a process that no runtime
 * completes this way.
 */
export function withHomeEnv(env: string[], home: string): string[] {
  return env.some((e) => e.startsWith('HOME=')) ? env : [...env, `HOME=${home || '/'}`];
}

/**
 * Reads a file of the container by its in-container path. Symlinks are followed as if
 * `rootfs` were '/' (an absolute link or '..' never leads outside it), and only a regular
 * file is read: an image's /etc/passwd could be a FIFO or a device. Null when missing.
 */
export async function readFileInRoot(rootfs: string, path: string): Promise<string | null> {
  const hostPath = await resolveInRoot(rootfs, path);
  let handle;
  try {
    // O_NOFOLLOW: the last component was resolved above; refuse a link swapped in since.
    handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return null;
    if (st.size > MAX_FILE_BYTES) throw serverError(`${path} in the container is too large`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Host path of `path` inside `rootfs`, resolving symlinks within the root (Docker's FollowSymlinkInScope). */
export async function resolveInRoot(rootfs: string, path: string): Promise<string> {
  const parts = await resolveInScope(
    path,
    async (parts) => {
      const hostPath = join(rootfs, ...parts);
      try {
        return (await lstat(hostPath)).isSymbolicLink() ? await readlink(hostPath) : undefined;
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    { followLast: true, tooManyLinks: () => serverError(`too many symlinks resolving ${path} in the container`) },
  );
  return join(rootfs, ...parts);
}

function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const fields of lines(text)) {
    const [name = '', , uid = '', gid = '', , home = ''] = fields;
    const u = parseId(uid);
    const g = parseId(gid);
    if (u === null || g === null) continue;
    out.push({ name, uid: u, gid: g, home });
  }
  return out;
}

function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const fields of lines(text)) {
    const [name = '', , gid = '', members = ''] = fields;
    const g = parseId(gid);
    if (g === null) continue;
    out.push({ name, gid: g, members: members.split(',').filter(Boolean) });
  }
  return out;
}

/**
 * Non-empty, non-comment lines split on ':'. libcontainer reads a malformed line as id 0;
 * callers here skip lines whose ids do not parse instead, so junk never matches root.
 */
function* lines(text: string): Generator<string[]> {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    yield line.split(':');
  }
}

/** Go's strconv.Atoi on a decimal id: optional sign, digits. Null when not numeric. */
function parseId(s: string): number | null {
  if (!/^[+-]?\d{1,19}$/.test(s)) return null;
  return Number(s);
}

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw serverError(RANGE_ERROR);
  return id;
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
