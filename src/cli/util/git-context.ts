// A git repository as the build context, as docker's remotecontext/git does it: a shallow fetch
// of `URL#ref:subdir` into a temporary directory, submodules included.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** urlutil.IsURL: an http(s) URL. */
export function isURL(s: string): boolean {
  return s.startsWith('http://') || s.startsWith('https://');
}

/**
 * urlutil.IsGitURL (an http(s) URL ending in .git[#...], git://, github.com/, git@), and, beyond
 * docker, file:// URLs, so that a repository on this machine can be built from.
 */
export function isGitURL(s: string): boolean {
  if (isURL(s) && /\.git(?:#.+)?$/.test(s)) return true;
  return ['git://', 'github.com/', 'git@', 'file://'].some((p) => s.startsWith(p));
}

interface GitRepo {
  remote: string;
  ref: string;
  subdir: string;
}

function scheme(s: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s);
  return m ? m[1].toLowerCase() : '';
}

export function parseGitURL(url: string): GitRepo {
  let remote = url;
  if (!remote.startsWith('git@') && !['git', 'http', 'https', 'ssh', 'file'].includes(scheme(remote))) remote = `https://${remote}`;
  const hash = remote.indexOf('#');
  const fragment = hash < 0 ? '' : remote.slice(hash + 1);
  if (hash >= 0) remote = remote.slice(0, hash);
  const colon = fragment.indexOf(':');
  const ref = colon < 0 ? fragment : fragment.slice(0, colon);
  const subdir = colon < 0 ? '' : fragment.slice(colon + 1);
  if (ref.startsWith('-')) throw new Error(`invalid refspec: ${ref}`);
  if (subdir.startsWith('-')) throw new Error(`invalid subdir: ${subdir}`);
  return { remote, ref, subdir };
}

function git(dir: string, args: string[]): { ok: boolean; output: string; status: string } {
  const r = spawnSync('git', args, { cwd: dir, env: { ...process.env, GIT_PROTOCOL_FROM_USER: '0', GIT_TERMINAL_PROMPT: '0' }, encoding: 'utf8' });
  if (r.error) return { ok: false, output: '', status: r.error.message };
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`, status: `exit status ${r.status ?? 1}` };
}

/** Clones `url` into a new temporary directory; returns the context directory in it and its root. */
export function cloneGitContext(url: string): { dir: string; root: string } {
  const which = spawnSync('git', ['--version']);
  if (which.error) throw new Error(`unable to find 'git': exec: "git": executable file not found in $PATH`);
  const repo = parseGitURL(url);
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-build-git'));
  const fail = (message: string): never => {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`unable to 'git clone' to temporary context directory: ${message}`);
  };
  let r = git(root, ['init', '-q']);
  if (!r.ok) fail(`failed to init repo at ${root}: ${r.output}: ${r.status}`);
  r = git(root, ['remote', 'add', 'origin', repo.remote]);
  if (!r.ok) fail(`failed add origin repo at ${repo.remote}: ${r.output}: ${r.status}`);
  // A file:// remote is the user's own choice (submodules still may not use the file transport).
  const allowFile = scheme(repo.remote) === 'file' ? ['-c', 'protocol.file.allow=always'] : [];
  r = git(root, [...allowFile, 'fetch', '-q', '--depth', '1', 'origin', '--', repo.ref || 'HEAD']);
  if (!r.ok) fail(`error fetching: ${r.output}: ${r.status}`);
  const checkout = repo.ref ? git(root, ['checkout', '-q', repo.ref]) : { ok: false, output: '', status: '' };
  if (!checkout.ok) {
    r = git(root, ['checkout', '-q', 'FETCH_HEAD']);
    if (!r.ok) fail(`error checking out ${repo.ref || 'HEAD'}: ${checkout.output || r.output}: ${checkout.status || r.status}`);
  }
  r = git(root, ['-c', 'protocol.file.allow=never', 'submodule', 'update', '--init', '--recursive', '--depth=1']);
  if (!r.ok) fail(`error initializing submodules: ${r.output}: ${r.status}`);
  let dir = realpathSync(root);
  if (repo.subdir) {
    let sub: string;
    try {
      sub = realpathSync(path.join(dir, repo.subdir));
    } catch (err) {
      return fail(`${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `stat ${path.join(dir, repo.subdir)}: no such file or directory` : (err as Error).message}`);
    }
    if (sub !== dir && !sub.startsWith(`${dir}/`)) fail(`error setting git context, ${JSON.stringify(repo.subdir)} not within git root`);
    if (!statSync(sub).isDirectory()) fail(`error setting git context, not a directory: ${sub}`);
    dir = sub;
  }
  return { dir, root };
}
