// Where COPY and ADD read from: the build context (one directory, minus what
// .dockerignore excludes), an image of another stage (its layer directories,
// read as the overlay would show them, without mounting), or for ADD a URL. The files a step copies
// are staged in a directory laid out as the new layer, with Docker's ownership
// and modes; their content and metadata (never mtime) give the step's cache key.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import dockerignore, { type Ignore } from '@balena/dockerignore';

// A CommonJS module whose declaration says `export default`: Node hands its module.exports (the factory) as the default.
const newIgnore = dockerignore as unknown as () => Ignore;
import { detectCompression, decompress } from '../archive/compression.js';
import { extractTar } from '../archive/extract.js';
import { MergedDir } from '../archive/layer-view.js';
import { errorMessage } from '../common/errors.js';
import { getWithStatusError } from '../common/http-get.js';
import { resolveInScope } from '../common/scoped-path.js';
import { isURL } from './remote-context.js';

export class BuildError extends Error {
  constructor(
    message: string,
    /** The failing command's exit code, for errorDetail.code. */
    readonly code?: number,
  ) {
    super(message);
  }
}

/** A read-only file tree made of layer directories, the topmost first. */
export class SourceTree {
  constructor(
    private readonly layers: string[],
    private readonly excluded: (rel: string) => boolean = () => false,
    /** The build context (errors then say so), not an image. */
    readonly isContext = false,
  ) {}

  /** The context: one directory, filtered by its .dockerignore. */
  static async context(dir: string): Promise<SourceTree> {
    const text = await fs.readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => '');
    const patterns = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const matcher = newIgnore().add(patterns);
    return new SourceTree([dir], (rel) => rel !== '' && patterns.length > 0 && matcher.ignores(rel), true);
  }

  /**
   * The host file behind `rel` and its stat, or undefined (absent, hidden by a whiteout,
   * or excluded). Symlinks on the way are resolved inside the tree, never on the host
   * (Docker's FollowSymlinkInScope); the last one only with `followLast`.
   */
  async find(rel: string, followLast = false): Promise<{ file: string; st: Stats } | undefined> {
    if (this.excluded(rel)) return undefined;
    const parts = await this.resolve(rel, followLast);
    if (parts.join('/') !== rel && this.excluded(parts.join('/'))) return undefined;
    if (parts.length === 0) return { file: this.layers[0], st: await fs.lstat(this.layers[0]) };
    return this.entry(parts);
  }

  /** The names in directory `rel`, merged over the layers as overlayfs merges them. */
  async list(rel: string): Promise<string[]> {
    const dir = await this.mergedDir(await this.resolve(rel, true));
    return (await dir.names()).filter((n) => !this.excluded(rel ? `${rel}/${n}` : n));
  }

  /** Directory `parts` of the merged view (its components known not to be symlinks there). */
  private async mergedDir(parts: string[]): Promise<MergedDir> {
    let dir = new MergedDir(this.layers);
    for (const part of parts) dir = await dir.child(part);
    return dir;
  }

  /** `rel` as path components with its symlinks resolved inside the tree. */
  private resolve(rel: string, followLast: boolean): Promise<string[]> {
    return resolveInScope(
      rel,
      async (parts) => {
        const entry = await this.entry(parts);
        return entry?.st.isSymbolicLink() ? fs.readlink(entry.file) : undefined;
      },
      { followLast, tooManyLinks: () => new BuildError(`too many links in ${rel}`) },
    );
  }


  /** The topmost entry for `parts`, whose parents are known not to be symlinks in the merged view. */
  private async entry(parts: string[]): Promise<{ file: string; st: Stats } | undefined> {
    return (await this.mergedDir(parts.slice(0, -1))).entry(parts[parts.length - 1]);
  }

  /** Paths matching a source pattern (Go's filepath.Match wildcards per component). */
  async glob(pattern: string): Promise<string[]> {
    const parts = pattern.split('/').filter((p) => p && p !== '.');
    let matches = [''];
    for (const part of parts) {
      const next: string[] = [];
      for (const base of matches) {
        if (!/[*?[]/.test(part)) {
          next.push(base ? `${base}/${part}` : part);
          continue;
        }
        const re = globRegExp(part);
        for (const name of await this.list(base)) if (re.test(name)) next.push(base ? `${base}/${name}` : name);
      }
      matches = next;
    }
    return matches;
  }
}

function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new BuildError(`syntax error in pattern`);
      re += `[${pattern.slice(i + 1, end).replace(/^\^|^!/, '^')}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface CopyRequest {
  sources: string[];
  /** Absolute destination in the image (WORKDIR applied). */
  dest: string;
  /** The destination ends in "/" or there are several sources: it is a directory. */
  destIsDir: boolean;
  uid: number;
  gid: number;
  /** --chmod: the mode of every copied file and directory (BuildKit's; dockerd's classic builder refuses it). */
  chmod?: number;
  /** ADD: local tar archives are unpacked into the destination. */
  unpackArchives: boolean;
}

/**
 * Lays out the files of a COPY/ADD under `stage` as they will be in the layer.
 * `imageHasDir` tells whether the destination already is a directory in the image.
 * Returns the step's cache key: Docker's "file:<hash>" / "dir:<hash>" / "multi:<hash>".
 */
export async function stageCopy(tree: SourceTree, req: CopyRequest, stage: string, imageHasDir: boolean, instruction: string): Promise<string> {
  const found: { rel: string; file: string; st: Stats }[] = [];
  const urls = req.sources.filter(isURL);
  for (const source of req.sources.filter((s) => !isURL(s))) {
    const rel = path.posix.normalize(source).replace(/^\/+/, '');
    if (rel === '..' || rel.startsWith('../')) throw new BuildError(`${instruction} failed: forbidden path outside the build context: ${source} ()`);
    const matches = await tree.glob(rel === '.' ? '' : rel);
    const hits = [];
    for (const m of matches) {
      const hit = await tree.find(m, true); // a source named through a symlink is its target, as in Docker
      if (hit) hits.push({ rel: m, ...hit });
    }
    if (hits.length === 0) {
      const where = tree.isContext ? 'file not found in build context or excluded by .dockerignore: ' : '';
      throw new BuildError(`${instruction} failed: ${where}stat ${rel}: file does not exist`);
    }
    found.push(...hits);
  }
  const hash = createHash('sha256');
  const count = found.length + urls.length;
  const intoDir = req.destIsDir || imageHasDir || count > 1 || !!found[0]?.st.isDirectory();
  for (const url of urls) {
    const name = path.posix.basename(new URL(url).pathname);
    if (intoDir && !name) throw new BuildError(`cannot determine filename from url: ${url}`);
    await download(url, path.join(stage, req.dest, intoDir ? name : ''), req, hash);
  }
  for (const { rel, file, st } of found) {
    const target = path.join(stage, req.dest, intoDir && !st.isDirectory() ? path.posix.basename(rel) : '');
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    if (req.unpackArchives && st.isFile() && (await isArchive(file))) {
      hash.update(`archive ${rel}\0`);
      await hashFile(hash, file);
      const destDir = path.join(stage, req.dest);
      await fs.mkdir(destDir, { recursive: true, mode: 0o755 });
      await extractTar(await decompress(createReadStream(file)), destDir);
      continue;
    }
    await copyEntry(tree, rel, file, st, target, req, hash);
  }
  const kind = count > 1 ? 'multi' : found[0]?.st.isDirectory() ? 'dir' : 'file';
  hash.update(`${req.uid}:${req.gid}:${req.chmod ?? ''}`);
  return `${kind}:${hash.digest('hex')}`;
}

/**
 * The directories above the destination exist in the layer too: they take the
 * image's metadata where the image has them, so the layer does not change them.
 */
export async function keepImageDirs(stage: string, dest: string, image: SourceTree): Promise<void> {
  const parts = dest.split('/').filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const rel = parts.slice(0, i).join('/');
    const found = await image.find(rel);
    if (!found?.st.isDirectory()) continue;
    const dir = path.join(stage, rel);
    await fs.chmod(dir, found.st.mode & 0o7777);
    await fs.lchown(dir, found.st.uid, found.st.gid);
    await fs.utimes(dir, found.st.atime, found.st.mtime);
  }
}

async function copyEntry(tree: SourceTree, rel: string, file: string, st: Stats, target: string, req: CopyRequest, hash: ReturnType<typeof createHash>): Promise<void> {
  const mode = req.chmod ?? st.mode & 0o7777;
  hash.update(`${rel}\0${st.mode & 0o170000}\0${mode}\0`);
  if (st.isDirectory()) {
    await fs.mkdir(target, { recursive: true });
    for (const name of await tree.list(rel)) {
      const childRel = rel ? `${rel}/${name}` : name;
      const child = await tree.find(childRel);
      if (child) await copyEntry(tree, childRel, child.file, child.st, path.join(target, name), req, hash);
    }
    await fs.chmod(target, mode);
  } else if (st.isSymbolicLink()) {
    const link = await fs.readlink(file);
    hash.update(link);
    await fs.rm(target, { force: true, recursive: true });
    await fs.symlink(link, target);
  } else if (st.isFile()) {
    await hashFile(hash, file);
    await fs.rm(target, { force: true, recursive: true });
    await fs.copyFile(file, target);
    await fs.chmod(target, mode);
  } else {
    return; // devices, FIFOs and sockets are not copied
  }
  await fs.lchown(target, req.uid, req.gid);
  if (!st.isSymbolicLink()) await fs.utimes(target, st.atime, st.mtime);
}

/**
 * ADD <url>: the file is downloaded (never unpacked) with mode 0600 and the
 * Last-Modified time; its URL and content take part in the cache key.
 */
async function download(url: string, target: string, req: CopyRequest, hash: ReturnType<typeof createHash>): Promise<void> {
  let response: Response;
  try {
    response = await getWithStatusError(url);
  } catch (err) {
    throw new BuildError(`ADD failed: ${errorMessage(err)}`);
  }
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  await fs.rm(target, { force: true, recursive: true });
  hash.update(`url ${url}\0`);
  const body = response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
  await pipeline(body, async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      hash.update(chunk);
      yield chunk;
    }
  }, createWriteStream(target, { mode: 0o600 }));
  await fs.chmod(target, req.chmod ?? 0o600);
  await fs.lchown(target, req.uid, req.gid);
  const modified = Date.parse(response.headers.get('last-modified') ?? '');
  if (!Number.isNaN(modified)) await fs.utimes(target, new Date(modified), new Date(modified));
}

async function hashFile(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  await pipeline(createReadStream(file), async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) hash.update(chunk);
  });
}

/** ADD unpacks what is a tar archive, plain or compressed, whatever its name. */
async function isArchive(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    if (detectCompression(head.subarray(0, bytesRead)) !== 'none') return true;
    return bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await handle.close();
  }
}
