// The build context as the docker CLI prepares it (cli/command/image/build): a directory tarred
// with its .dockerignore applied (the Dockerfile and .dockerignore always kept), a Dockerfile
// from stdin or from outside the context added under a random name, and tar-or-Dockerfile
// detection for a context read from stdin.
import dockerignoreModule, { type Ignore } from '@balena/dockerignore';
import { randomBytes } from 'node:crypto';
import { createReadStream, lstatSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';

export const DEFAULT_DOCKERFILE = 'Dockerfile';

// A CommonJS module whose types declare an ES default export: Node hands over module.exports.
type IgnoreFactory = (options?: { ignorecase?: boolean }) => Ignore;
const moduleValue = dockerignoreModule as unknown as IgnoreFactory | { default: IgnoreFactory };
const dockerignore: IgnoreFactory = typeof moduleValue === 'function' ? moduleValue : moduleValue.default;

/** buildkit's dockerignore.ReadAll: comments, blank lines, `!` exceptions, cleaned, leading `/` dropped. */
export function parseDockerignore(text: string): string[] {
  const excludes: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (const raw of lines) {
    let pattern = raw.replace(/\r$/, '');
    if (pattern.startsWith('#')) continue;
    pattern = pattern.trim();
    if (!pattern) continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern) {
      pattern = path.posix.normalize(pattern).replace(/\/+$/, '') || '/';
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    excludes.push(invert ? `!${pattern}` : pattern);
  }
  return excludes;
}

/** The patterns of `<dir>/.dockerignore` (none when it does not exist). */
export function readDockerignore(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, '.dockerignore'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseDockerignore(text);
}

/** Docker's exclude-pattern matcher: a pattern matches a path or any of its parents; the last match wins. */
export class ExcludeMatcher {
  private readonly ignore = dockerignore({ ignorecase: false });
  readonly patterns: string[];

  constructor(patterns: string[]) {
    this.patterns = patterns.filter((p) => p !== '' && p !== '!');
    this.ignore.add(this.patterns);
  }

  /** Whether the context-relative path (slash-separated) is excluded. "." never is. */
  excludes(rel: string): boolean {
    const clean = path.posix.normalize(rel);
    if (clean === '.' || clean === '') return false;
    return this.ignore.ignores(clean);
  }

  get hasExceptions(): boolean {
    return this.patterns.some((p) => p.startsWith('!'));
  }

  /** Whether an exception pattern names something under `dir`, so an excluded dir must still be walked. */
  exceptionUnder(dir: string): boolean {
    const prefix = `${dir}/`;
    return this.patterns.some((p) => p.startsWith('!') && `${p.slice(1)}/`.startsWith(prefix));
  }
}

/** TrimBuildFilesFromExcludes: the daemon needs the Dockerfile and .dockerignore even when excluded. */
export function trimBuildFilesFromExcludes(excludes: string[], dockerfile: string, dockerfileFromStdin: boolean): string[] {
  const out = [...excludes];
  if (new ExcludeMatcher(excludes).excludes('.dockerignore')) out.push('!.dockerignore');
  if (!dockerfileFromStdin && dockerfile && new ExcludeMatcher(excludes).excludes(dockerfile)) out.push(`!${dockerfile}`);
  return out;
}

type EntryHeader = Partial<tar.Header> & { name: string };

/** One entry of the context, in the order the tar holds them (lexical walk, as filepath.Walk). */
export interface ContextEntry {
  rel: string;
  abs: string;
  stats: Stats;
}

/** The entries of `dir` that the excludes keep, walking as docker's TarWithOptions does. */
export function listContext(dir: string, excludes: string[]): ContextEntry[] {
  const matcher = new ExcludeMatcher(excludes);
  const entries: ContextEntry[] = [];
  const walk = (relDir: string) => {
    const absDir = relDir ? path.join(dir, relDir) : dir;
    const names = readdirSync(absDir).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1));
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = path.join(absDir, name);
      let stats: Stats;
      try {
        stats = lstatSync(abs);
      } catch {
        continue;
      }
      if (matcher.excludes(rel)) {
        if (!stats.isDirectory()) continue;
        if (!matcher.hasExceptions || !matcher.exceptionUnder(rel)) continue;
        walk(rel);
        continue;
      }
      entries.push({ rel, abs, stats });
      if (stats.isDirectory()) walk(rel);
    }
  };
  walk('');
  return entries;
}

/** ValidateContextDirectory: every file the context keeps must be readable. */
export function validateContextDirectory(dir: string, excludes: string[]): void {
  for (const entry of listContext(dir, excludes)) {
    if (entry.stats.isSymbolicLink() || entry.stats.isFIFO() || entry.stats.isDirectory() || entry.stats.isSocket()) continue;
    try {
      closeSync(openSync(entry.abs, 'r'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new Error(`error checking context: no permission to read from '${entry.abs}'`);
    }
  }
}

function headerFor(entry: ContextEntry, links: Map<string, string>): EntryHeader | undefined {
  const { stats, rel } = entry;
  const base = { mode: stats.mode & 0o7777, uid: 0, gid: 0, mtime: new Date(Math.floor(stats.mtimeMs / 1000) * 1000) };
  if (stats.isDirectory()) return { ...base, name: `${rel}/`, type: 'directory' };
  if (stats.isSymbolicLink()) return { ...base, name: rel, type: 'symlink', linkname: readlinkSync(entry.abs) };
  if (stats.isFile()) {
    if (stats.nlink > 1) {
      const key = `${stats.dev}:${stats.ino}`;
      const first = links.get(key);
      if (first !== undefined) return { ...base, name: rel, type: 'link', linkname: first };
      links.set(key, rel);
    }
    return { ...base, name: rel, type: 'file', size: stats.size };
  }
  if (stats.isFIFO()) return { ...base, name: rel, type: 'fifo' };
  const dev = { devmajor: Math.floor(stats.rdev / 256) & 0xfff, devminor: (stats.rdev & 0xff) | ((stats.rdev >> 12) & 0xfff00) };
  if (stats.isCharacterDevice()) return { ...base, ...dev, name: rel, type: 'character-device' };
  if (stats.isBlockDevice()) return { ...base, ...dev, name: rel, type: 'block-device' };
  return undefined; // sockets: docker skips them too
}

function writeEntry(pack: tar.Pack, header: EntryHeader, body?: Buffer | Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (body instanceof Readable) {
      const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      body.on('error', (err) => {
        sink.destroy(err);
        reject(err);
      });
      body.pipe(sink);
    } else {
      pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    }
  });
}

/** Tars `dir` (owner 0:0, as ChownOpts does), leaving out what `excludes` excludes. */
export function tarDirectory(dir: string, excludes: string[]): Readable {
  const pack = tar.pack();
  const entries = listContext(dir, excludes);
  void (async () => {
    const links = new Map<string, string>();
    for (const entry of entries) {
      const header = headerFor(entry, links);
      if (!header) continue;
      if (header.type === 'file') {
        // A file that changed size since it was listed would corrupt the tar: read it whole.
        const content = header.size && header.size > 1 << 20 ? createReadStream(entry.abs) : readFileSync(entry.abs);
        if (Buffer.isBuffer(content)) header.size = content.length;
        await writeEntry(pack, header, content);
      } else {
        await writeEntry(pack, header);
      }
    }
    pack.finalize();
  })().catch((err) => pack.destroy(err as Error));
  return pack as unknown as Readable;
}

/** A random name for a Dockerfile added to the context: `.dockerfile.` and 20 hex digits. */
export function randomDockerfileName(): string {
  return `.dockerfile.${randomBytes(10).toString('hex')}`;
}

/**
 * AddDockerfileToBuildContext: adds `dockerfile` to a context tar under a random name and lists
 * that name in .dockerignore (created when missing), so the daemon leaves it out of the context.
 */
export function addDockerfileToContext(context: Readable, dockerfile: Buffer, name = randomDockerfileName()): { stream: Readable; name: string } {
  const extract = tar.extract();
  const pack = tar.pack();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  let sawIgnore = false;
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      let body = Buffer.concat(chunks);
      if (header.name === name) return next(); // replaced below
      if (header.name === '.dockerignore' || header.name === './.dockerignore') {
        sawIgnore = true;
        body = Buffer.concat([body, Buffer.from(`\n${name}\n`)]);
        header.size = body.length;
      }
      pack.entry(header, body, (err) => next(err ?? undefined));
    });
    stream.on('error', next);
  });
  extract.on('finish', () => {
    pack.entry({ name, mode: 0o600, mtime: now, type: 'file' }, dockerfile, (err) => {
      if (err) return pack.destroy(err);
      const finish = () => pack.finalize();
      if (sawIgnore) finish();
      else pack.entry({ name: '.dockerignore', mode: 0o600, mtime: now, type: 'file' }, Buffer.from(`.dockerignore\n${name}\n`), (e) => (e ? pack.destroy(e) : finish()));
    });
  });
  extract.on('error', (err) => pack.destroy(err));
  context.on('error', (err) => pack.destroy(err));
  context.pipe(extract);
  return { stream: pack as unknown as Readable, name };
}

/** A context holding only a Dockerfile (a Dockerfile given on stdin as the context). */
export function dockerfileOnlyContext(dockerfile: Buffer): Readable {
  const pack = tar.pack();
  pack.entry({ name: DEFAULT_DOCKERFILE, mode: 0o644, mtime: new Date(Math.floor(Date.now() / 1000) * 1000), type: 'file', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }, dockerfile);
  pack.finalize();
  return pack as unknown as Readable;
}

/** IsArchive: compressed (gzip, bzip2, xz, zstd) or a tar header with a valid checksum. */
export function isArchive(header: Buffer): boolean {
  const starts = (bytes: number[]) => bytes.every((b, i) => header[i] === b);
  if (starts([0x1f, 0x8b, 0x08]) || starts([0x42, 0x5a, 0x68]) || starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) || starts([0x28, 0xb5, 0x2f, 0xfd])) return true;
  if (header.length < 512) return false;
  const block = header.subarray(0, 512);
  if (block.every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const want = parseInt(field, 8);
  return want === unsigned || want === signed;
}

/** Go's filepath.EvalSymlinks error: "lstat <first missing path>: no such file or directory". */
export function evalSymlinks(p: string): string {
  try {
    return realpathSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const parts = path.resolve(p).split('/').filter(Boolean);
    let sofar = '';
    for (const part of parts) {
      sofar += `/${part}`;
      try {
        lstatSync(sofar);
      } catch (e) {
        const c = (e as NodeJS.ErrnoException).code;
        throw new Error(`lstat ${sofar}: ${c === 'ENOTDIR' ? 'not a directory' : c === 'EACCES' ? 'permission denied' : 'no such file or directory'}`);
      }
    }
    throw new Error(`lstat ${p}: ${code === 'ELOOP' ? 'too many links' : 'no such file or directory'}`);
  }
}

/** ResolveAndValidateContextPath: the absolute, symlink-free context directory. */
export function resolveContextDir(given: string): string {
  const abs = path.resolve(given);
  let real: string;
  try {
    real = evalSymlinks(abs);
  } catch (err) {
    throw new Error(`unable to evaluate symlinks in context path: ${(err as Error).message}`);
  }
  if (!lstatSync(real).isDirectory()) throw new Error(`context must be a directory: ${real}`);
  return real;
}

/** getDockerfileRelPath: the Dockerfile's path relative to the context ("-" stays "-"). */
export function dockerfileRelPath(contextDir: string, given: string): string {
  if (given === '-') return given;
  let abs = given;
  if (!abs) {
    abs = path.join(contextDir, DEFAULT_DOCKERFILE);
    try {
      lstatSync(abs);
    } catch {
      const alt = path.join(contextDir, DEFAULT_DOCKERFILE.toLowerCase());
      try {
        lstatSync(alt);
        abs = alt;
      } catch {
        // keep the default name for the error
      }
    }
  }
  if (!path.isAbsolute(abs)) abs = path.join(contextDir, abs);
  try {
    abs = evalSymlinks(abs);
  } catch (err) {
    throw new Error(`unable to evaluate symlinks in Dockerfile path: ${(err as Error).message}`);
  }
  return path.relative(contextDir, abs) || '.';
}
