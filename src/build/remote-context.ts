// Build contexts that live elsewhere, as docker's builder/remotecontext fetches them; the CLI
// (`berth build URL`) and berthd (`POST /build?remote=URL`) share this code. A git repository
// is fetched (shallow where the server allows it) at `URL#ref:subdir`; an http(s) URL is
// downloaded and is either a tar archive (plain or compressed) or a lone Dockerfile.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { detectCompression, peek } from '../archive/compression.js';
import { ApiError, errorMessage, serverError } from '../common/errors.js';
import { getWithStatusError } from '../common/http-get.js';
import { resolveInRoot } from '../runtime/user.js';

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

interface GitResult {
  ok: boolean;
  output: string;
  status: string;
}

/** Runs git in `dir` (asynchronously: berthd keeps serving meanwhile), never prompting for credentials. */
function git(dir: string, args: string[]): Promise<GitResult> {
  const env = { ...process.env, GIT_PROTOCOL_FROM_USER: '0', GIT_TERMINAL_PROMPT: '0' };
  return new Promise((resolve) => {
    execFile('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!err) return resolve({ ok: true, output, status: '' });
      const code = (err as { code?: unknown }).code;
      const status = code === 'ENOENT' ? 'exec: "git": executable file not found in $PATH' : `exit status ${typeof code === 'number' ? code : 1}`;
      resolve({ ok: false, output, status });
    });
  });
}

/**
 * supportsShallowClone: any transport but HTTP can fetch `--depth 1`; over HTTP only a "smart"
 * server can (a dumb one serving the repository's files fails such a fetch).
 */
async function supportsShallowClone(remote: string): Promise<boolean> {
  if (!isURL(remote)) return true;
  const serviceURL = `${remote}/info/refs?service=git-upload-pack`;
  const probe = async (method: string) => {
    try {
      const res = await fetch(serviceURL, { method });
      await res.body?.cancel();
      return res.status === 200 ? res : undefined;
    } catch {
      return undefined;
    }
  };
  const res = (await probe('HEAD')) ?? (await probe('GET'));
  return res?.headers.get('content-type') === 'application/x-git-upload-pack-advertisement';
}

/**
 * Fetches the repository `url` names into a new directory `<tmpPrefix>XXXXXX` (its root, for the
 * caller to remove) and returns the context directory in it. Errors are dockerd's
 * ("error fetching: ...") and leave nothing behind.
 */
export async function cloneGitRepository(url: string, tmpPrefix: string): Promise<{ dir: string; root: string }> {
  const repo = parseGitURL(url);
  const root = await fs.mkdtemp(tmpPrefix);
  const run = async (args: string[], describe: (r: GitResult) => string) => {
    const r = await git(root, args);
    if (!r.ok) throw new Error(describe(r));
  };
  try {
    await run(['init', '-q'], (r) => `failed to init repo at ${root}: ${r.output}: ${r.status}`);
    await run(['remote', 'add', 'origin', repo.remote], (r) => `failed add origin repo at ${repo.remote}: ${r.output}: ${r.status}`);
    // A file:// remote is the user's own choice (submodules still may not use the file transport).
    const allowFile = scheme(repo.remote) === 'file' ? ['-c', 'protocol.file.allow=always'] : [];
    const depth = (await supportsShallowClone(repo.remote)) ? ['--depth', '1'] : [];
    // Without a ref, the remote's default branch (dockerd 20.10 asks for "master").
    await run([...allowFile, 'fetch', '-q', ...depth, 'origin', '--', repo.ref || 'HEAD'], (r) => `error fetching: ${r.output}: ${r.status}`);
    // A branch name checks out as that branch; anything else (a tag, a commit) as what was fetched.
    const byName = repo.ref ? await git(root, ['checkout', '-q', repo.ref]) : undefined;
    if (!byName?.ok) {
      await run(['checkout', '-q', 'FETCH_HEAD'], (r) => `error checking out ${repo.ref || 'HEAD'}: ${byName?.output || r.output}: ${byName?.status || r.status}`);
    }
    await run(['-c', 'protocol.file.allow=never', 'submodule', 'update', '--init', '--recursive', '--depth=1'], (r) => `error initializing submodules: ${r.output}: ${r.status}`);
    const top = await fs.realpath(root);
    return { dir: repo.subdir ? await gitSubdir(top, repo.subdir) : top, root };
  } catch (err) {
    await fs.rm(root, { recursive: true, force: true });
    throw err;
  }
}

/** The `:subdir` of the fragment, its symlinks resolved inside the repository (FollowSymlinkInScope). */
async function gitSubdir(top: string, subdir: string): Promise<string> {
  const dir = await resolveInRoot(top, subdir);
  const st = await fs.stat(dir).catch(() => {
    throw new Error(`stat ${dir}: no such file or directory`);
  });
  if (!st.isDirectory()) throw new Error(`error setting git context, not a directory: ${dir}`);
  return dir;
}

/** The MIME types dockerd accepts for a remote context (a match anywhere in the type, as regexp.FindString). */
const ACCEPTABLE_REMOTE_MIME = /(?:application\/(?:(?:x-)?tar|octet-stream|((?:x-)?(?:gzip|bzip2?|xz)))|(?:text\/plain))/;

/**
 * Signatures from Go's http.DetectContentType that decide what dockerd makes of a download
 * served without a useful Content-Type: markup and other formats are refused, gzip is an archive.
 */
const SNIFFED_SIGNATURES: [RegExp, string][] = [
  [/^[\t\n\f\r ]*<(?:!DOCTYPE HTML|HTML|HEAD|SCRIPT|IFRAME|H1|DIV|FONT|TABLE|A|STYLE|TITLE|B|BODY|BR|P|!--)[ >]/i, 'text/html; charset=utf-8'],
  [/^[\t\n\f\r ]*<\?xml/, 'text/xml; charset=utf-8'],
  [/^%PDF-/, 'application/pdf'],
  [/^\x1f\x8b\x08/, 'application/x-gzip'],
  [/^PK\x03\x04/, 'application/zip'],
  [/^(?:GIF87a|GIF89a|\x89PNG\r\n\x1a\n|\xff\xd8\xff)/, 'image'],
  [/^(?:\xfe\xff|\xff\xfe|\xef\xbb\xbf)/, 'text/plain'],
];

function sniffContentType(head: Buffer): string {
  const text = head.toString('latin1');
  const known = SNIFFED_SIGNATURES.find(([signature]) => signature.test(text));
  if (known) return known[1];
  // Go's "binary data" bytes: control characters other than tab, newlines, form feed and escape.
  const binary = head.some((b) => b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f));
  return binary ? 'application/octet-stream' : 'text/plain; charset=utf-8';
}

export interface RemoteDownload {
  /** text/plain: the body is a Dockerfile, the build has no other context. */
  isDockerfile: boolean;
  /** An archive compressed with gzip, bzip2, xz or zstd. */
  compressed: boolean;
  body: Readable;
}

/** downloadRemote + inspectResponse: what dockerd makes of `remote=<http(s) URL>`. */
export async function downloadRemoteContext(url: string): Promise<RemoteDownload> {
  let response: Response;
  try {
    response = await getWithStatusError(url);
  } catch (err) {
    throw new ApiError(err instanceof ApiError ? err.statusCode : 500, `error downloading remote context ${url}: ${errorMessage(err)}`);
  }
  const body = response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
  // dockerd sniffs its first read, at most 100 bytes.
  const { head, stream } = await peek(body, 100);
  const refuse = (why: string) => {
    stream.destroy();
    return serverError(`error detecting content type for remote ${url}: ${why}`);
  };
  if (head.length === 0) throw refuse('empty response');
  const declared = response.headers.get('content-type') ?? '';
  const contentType = declared === '' || declared === 'application/octet-stream' ? sniffContentType(head.subarray(0, 100)) : declared;
  const accepted = ACCEPTABLE_REMOTE_MIME.exec(contentType)?.[0];
  if (!accepted) throw refuse(`unsupported Content-Type ${JSON.stringify(declared)}`);
  return { isDockerfile: accepted === 'text/plain', compressed: detectCompression(head) !== 'none', body: stream };
}
