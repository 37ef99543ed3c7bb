// Remote build contexts for tests: a git repository made on the spot, and a static http server
// on 127.0.0.1 that also serves a bare repository as git's "dumb" http protocol does.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export const hasGit = (): boolean => !spawnSync('git', ['--version']).error;

/** Runs git in `dir` (with an identity for commits); throws on failure. */
export function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A repository on branch main with one commit of `files`. */
export function gitRepo(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'one');
  return dir;
}

/** A bare copy of `repo` at `dest` with the info/refs that dumb http clients read. */
export function bareClone(repo: string, dest: string): void {
  git(path.dirname(dest), 'clone', '-q', '--bare', repo, dest);
  git(dest, 'update-server-info');
}

export interface FileServer {
  base: string;
  close(): Promise<void>;
}

/** Serves the files under `root` (GET and HEAD), typed by `types` (by name) or as octet-stream; 404 otherwise. */
export async function serveFiles(root: string, types: Record<string, string> = {}): Promise<FileServer> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.normalize(rel));
    let body: Buffer;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      body = readFileSync(file);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.basename(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
