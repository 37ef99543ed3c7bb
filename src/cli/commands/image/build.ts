// build: the docker CLI's classic builder client (`DOCKER_BUILDKIT=0 docker build`): prepare the
// context (directory, stdin tar or Dockerfile, git repository, URL), send it to POST /build and
// show the daemon's JSON stream.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Query } from '../../../client/transport.js';
import { peek } from '../../../archive/compression.js';
import { cloneGitRepository, isGitURL, isURL } from '../../../build/remote-context.js';
import { jsonMessages, type JsonMessage } from '../../../client/json-stream.js';
import { getWithStatusError } from '../../../common/http-get.js';
import { humanSize, ramInBytes } from '../../../common/units.js';
import { StatusError, boolFlag, intFlag, listFlag, stringFlag, type Cli, type Command } from '../../command.js';
import type { FlagSpec, Flags } from '../../flags.js';
import {
  DEFAULT_DOCKERFILE,
  addDockerfileToContext,
  dockerfileOnlyContext,
  dockerfileRelPath,
  isArchive,
  readDockerignore,
  resolveContextDir,
  tarDirectory,
  trimBuildFilesFromExcludes,
  validateContextDirectory,
} from '../../util/build-context.js';
import { labelsMap } from '../../util/container-opts.js';
import { progressPrinter } from '../../util/progress.js';
import { parseNormalized } from '../../util/reference.js';

/** opts.ValidateExtraHost: "host:ip" or "host=ip" (ip may be bracketed, or host-gateway); sent as "host:ip". */
export function normalizeExtraHost(value: string): string {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const host = sep < 0 ? '' : value.slice(0, sep);
  let ip = sep < 0 ? '' : value.slice(sep + 1);
  if (sep < 0 || !host || host.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(value)}`);
  if (ip !== 'host-gateway') {
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (!isIP(ip.trim())) throw new Error(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
  return `${host}:${ip}`;
}

/** opts.ValidateEnv for --build-arg: KEY=VALUE, or KEY taking the CLI's environment (null when unset). */
export function buildArgsMap(args: string[], env: NodeJS.ProcessEnv = process.env): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq >= 0) out[arg.slice(0, eq)] = arg.slice(eq + 1);
    else out[arg] = env[arg] ?? null;
  }
  return out;
}

const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

/** go-units ParseUlimit: NAME=SOFT[:HARD]. */
export function parseUlimit(value: string): { Name: string; Hard: number; Soft: number } {
  const eq = value.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  if (!ULIMIT_NAMES.includes(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = value.slice(eq + 1).split(':');
  if (parts.length > 2) throw new Error(`too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const num = (s: string) => {
    if (!/^-?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
    return Number(s);
  };
  const soft = num(parts[0]);
  const hard = parts.length > 1 ? num(parts[1]) : soft;
  if (soft > hard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Hard: hard, Soft: soft };
}

const sizeFlag = (long: string, short: string | undefined, usage: string): FlagSpec => ({ long, short, kind: 'string', usage, typeName: 'bytes', validate: (v) => void ramInBytes(v) });

const buildFlags: FlagSpec[] = [
  { ...listFlag('add-host', undefined, 'Add a custom host-to-IP mapping ("host:ip")'), validate: (v) => void normalizeExtraHost(v) },
  {
    ...listFlag('build-arg', undefined, 'Set build-time variables'),
    validate: (v) => {
      if (v.startsWith('=') || v === '') throw new Error(`invalid environment variable: ${v}`);
    },
  },
  listFlag('cache-from', undefined, 'Images to consider as cache sources', 'strings'),
  stringFlag('cgroup-parent', undefined, 'Set the parent cgroup for the "RUN" instructions during build'),
  boolFlag('compress', undefined, 'Compress the build context using gzip'),
  intFlag('cpu-period', undefined, 'Limit the CPU CFS (Completely Fair Scheduler) period'),
  intFlag('cpu-quota', undefined, 'Limit the CPU CFS (Completely Fair Scheduler) quota'),
  intFlag('cpu-shares', 'c', 'CPU shares (relative weight)'),
  stringFlag('cpuset-cpus', undefined, 'CPUs in which to allow execution (0-3, 0,1)'),
  stringFlag('cpuset-mems', undefined, 'MEMs in which to allow execution (0-3, 0,1)'),
  { ...boolFlag('disable-content-trust', undefined, 'Skip image verification', true) },
  stringFlag('file', 'f', 'Name of the Dockerfile (Default is "PATH/Dockerfile")'),
  boolFlag('force-rm', undefined, 'Always remove intermediate containers'),
  stringFlag('iidfile', undefined, 'Write the image ID to the file'),
  stringFlag('isolation', undefined, 'Container isolation technology'),
  {
    ...listFlag('label', undefined, 'Set metadata for an image'),
    validate: (v) => {
      if (!v.split('=')[0].trim()) throw new Error(`invalid label '${v}': empty name`);
    },
  },
  sizeFlag('memory', 'm', 'Memory limit'),
  { ...sizeFlag('memory-swap', undefined, 'Swap limit equal to memory plus swap: -1 to enable unlimited swap'), validate: (v) => void (v === '-1' || ramInBytes(v)) },
  stringFlag('network', undefined, 'Set the networking mode for the RUN instructions during build', 'default'),
  boolFlag('no-cache', undefined, 'Do not use cache when building the image'),
  stringFlag('platform', undefined, 'Set platform if server is multi-platform capable'),
  boolFlag('pull', undefined, 'Always attempt to pull a newer version of the image'),
  boolFlag('quiet', 'q', 'Suppress the build output and print image ID on success'),
  boolFlag('rm', undefined, 'Remove intermediate containers after a successful build', true),
  listFlag('security-opt', undefined, 'Security options', 'strings'),
  sizeFlag('shm-size', undefined, 'Size of "/dev/shm"'),
  { ...listFlag('tag', 't', 'Name and optionally a tag in the "name:tag" format'), validate: (v) => void parseNormalized(v) },
  stringFlag('target', undefined, 'Set the target build stage to build.'),
  { ...listFlag('ulimit', undefined, 'Ulimit options (default [])', 'ulimit'), validate: (v) => void parseUlimit(v) },
];

/** A sink for output that -q holds back (and shows on stderr if the build fails). */
class Buffered {
  text = '';
  write(chunk: string | Uint8Array): boolean {
    this.text += chunk.toString();
    return true;
  }
}

type Out = Pick<NodeJS.WritableStream, 'write'> & { isTTY?: boolean };

/** The progress line docker's rawProgressFormatter writes: "<action> <%8v size>\r" (+ "\r\n" when last). */
function progressLine(action: string, current: number, last: boolean): string {
  const size = current > 0 ? humanSize(current).padStart(8) : '';
  return `${action} ${size}\r${size ? '' : '\n'}${last ? '\r\n' : ''}`;
}

/** Counts the bytes sent, as progress.NewProgressReader does, and reports them on `out`. */
function countingStream(out: Out, action: string): { stream: Transform; done: Promise<void> } {
  let current = 0;
  let lastShown = 0;
  let lastTime = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      current += chunk.length;
      if (out.isTTY && current - lastShown > 512 * 1024 && Date.now() - lastTime > 100) {
        out.write(progressLine(action, current, false));
        lastShown = current;
        lastTime = Date.now();
      }
      cb(null, chunk);
    },
    flush(cb) {
      out.write(progressLine(action, current, true));
      resolve();
      cb();
    },
  });
  stream.on('close', resolve);
  return { stream, done };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

/** GetContextFromReader: a tar (possibly compressed) as it is, or a Dockerfile wrapped in a tar. */
async function contextFromReader(input: Readable, dockerfileName: string): Promise<{ context: Readable; relDockerfile: string }> {
  const { head, stream } = await peek(input, 1024);
  if (isArchive(head)) return { context: stream, relDockerfile: dockerfileName };
  if (dockerfileName === '-') throw new Error('build context is not an archive');
  if (dockerfileName) throw new Error('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
  return { context: dockerfileOnlyContext(await readAll(stream)), relDockerfile: DEFAULT_DOCKERFILE };
}

/** GetContextFromURL: downloads the context (a tar or a Dockerfile), showing progress on `progress`. */
async function contextFromURL(progress: Out, url: string, dockerfileName: string): Promise<{ context: Readable; relDockerfile: string }> {
  let res: Response;
  try {
    res = await getWithStatusError(url);
  } catch (err) {
    throw new Error(`unable to download remote context ${url}: ${(err as Error).message}`);
  }
  const body = res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) : Readable.from([]);
  const total = Number(res.headers.get('content-length') ?? 0);
  const action = `Downloading build context from remote url: ${url}`;
  let current = 0;
  const counted = body.pipe(
    new Transform({
      transform(chunk: Buffer, _e, cb) {
        current += chunk.length;
        cb(null, chunk);
      },
      flush(cb) {
        if (total > 0 && current <= total) {
          const bar = `[${'='.repeat(50)}>] `;
          progress.write(`${action} ${bar}${humanSize(current).padStart(8)}/${humanSize(total)}\r\r\n`);
        } else progress.write(progressLine(action, current, true));
        cb();
      },
    }),
  );
  return contextFromReader(counted, dockerfileName);
}

function fileError(err: unknown, op: string, file: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const text: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'not a directory' };
  return new Error(`${op} ${file}: ${text[code ?? ''] ?? (err as Error).message}`);
}

/** The query docker 28's client sends: only what differs from the defaults, keys sorted (url.Values). */
export function buildQuery(flags: Flags, relDockerfile: string, env: NodeJS.ProcessEnv = process.env): Query {
  const platform = flags.changed('platform') ? flags.string('platform') : (env.DOCKER_DEFAULT_PLATFORM ?? '');
  const size = (name: string) => (flags.string(name) ? ramInBytes(flags.string(name)) : 0);
  const memorySwap = flags.string('memory-swap') === '-1' ? -1 : size('memory-swap');
  const nonZero = (n: number) => (n ? n : undefined);
  const nonEmpty = (s: string) => s || undefined;
  const list = (values: string[]) => (values.length ? values : undefined);
  const buildArgs = buildArgsMap(flags.list('build-arg'), env);
  const labels = labelsMap(flags.list('label'));
  const cacheFrom = flags.list('cache-from').flatMap((v) => v.split(','));
  const isolation = flags.string('isolation');
  const network = flags.string('network');
  const query: Query = {
    buildargs: Object.keys(buildArgs).length ? JSON.stringify(buildArgs) : undefined,
    cachefrom: cacheFrom.length ? JSON.stringify(cacheFrom) : undefined,
    cgroupparent: nonEmpty(flags.string('cgroup-parent')),
    cpuperiod: nonZero(flags.int('cpu-period')),
    cpuquota: nonZero(flags.int('cpu-quota')),
    cpusetcpus: nonEmpty(flags.string('cpuset-cpus')),
    cpusetmems: nonEmpty(flags.string('cpuset-mems')),
    cpushares: nonZero(flags.int('cpu-shares')),
    dockerfile: nonEmpty(relDockerfile),
    extrahosts: list(flags.list('add-host').map(normalizeExtraHost)),
    forcerm: flags.bool('force-rm') ? '1' : undefined,
    isolation: isolation && isolation !== 'default' ? isolation : undefined,
    labels: Object.keys(labels).length ? JSON.stringify(labels) : undefined,
    memory: nonZero(size('memory')),
    memswap: nonZero(memorySwap),
    networkmode: network && network !== 'default' ? network : undefined,
    nocache: flags.bool('no-cache') ? '1' : undefined,
    platform: platform ? platform.toLowerCase() : undefined,
    pull: flags.bool('pull') ? '1' : undefined,
    q: flags.bool('quiet') ? '1' : undefined,
    rm: flags.bool('rm') ? undefined : '0', // the daemon's default is to remove them
    securityopt: list(flags.list('security-opt').flatMap((v) => v.split(','))),
    shmsize: nonZero(size('shm-size')),
    t: list(flags.list('tag')),
    target: nonEmpty(flags.string('target')),
    ulimits: flags.list('ulimit').length ? JSON.stringify([...new Map(flags.list('ulimit').map((u) => [parseUlimit(u).Name, parseUlimit(u)])).values()]) : undefined,
    version: '1',
  };
  return query;
}

interface PreparedContext {
  body: Readable;
  relDockerfile: string;
  cleanup: () => void;
}

/** RunBuild's context preparation, with docker's messages. */
async function prepareContext(cli: Cli, flags: Flags, specified: string, progress: Out): Promise<PreparedContext> {
  const dockerfileName = flags.string('file');
  const dockerfileFromStdin = dockerfileName === '-';
  let dockerfileCtx: Buffer | undefined;
  let buildCtx: Readable | undefined;
  let contextDir = '';
  let relDockerfile = '';
  let tempDir = '';
  const cleanup = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  const prepareError = (err: unknown): never => {
    cleanup();
    throw new Error(`unable to prepare context: ${(err as Error).message}`);
  };

  if (dockerfileFromStdin) {
    if (specified === '-') throw new Error("invalid argument: can't use stdin for both build context and dockerfile");
    dockerfileCtx = await readAll(cli.in);
  }

  let isLocal = false;
  try {
    statSync(specified);
    isLocal = true;
  } catch {
    isLocal = false;
  }

  if (specified === '-') {
    try {
      ({ context: buildCtx, relDockerfile } = await contextFromReader(cli.in, dockerfileName));
    } catch (err) {
      prepareError(err);
    }
  } else if (isLocal) {
    try {
      contextDir = resolveContextDir(specified);
      relDockerfile = dockerfileRelPath(contextDir, dockerfileName && !dockerfileFromStdin ? path.resolve(dockerfileName) : dockerfileName);
    } catch (err) {
      prepareError(err);
    }
    if (relDockerfile.startsWith('../')) {
      try {
        dockerfileCtx = readFileSync(dockerfileName);
      } catch (err) {
        throw new Error(`unable to open Dockerfile: ${fileError(err, 'open', dockerfileName).message}`);
      }
    }
  } else if (isGitURL(specified)) {
    try {
      if (spawnSync('git', ['--version']).error) throw new Error(`unable to find 'git': exec: "git": executable file not found in $PATH`);
      const cloned = await cloneGitRepository(specified, path.join(os.tmpdir(), 'berth-build-git')).catch((err: Error) => {
        throw new Error(`unable to 'git clone' to temporary context directory: ${err.message}`);
      });
      tempDir = cloned.root;
      contextDir = cloned.dir;
      relDockerfile = dockerfileRelPath(contextDir, dockerfileName);
    } catch (err) {
      prepareError(err);
    }
    if (relDockerfile.startsWith('../')) prepareError(new Error(`the Dockerfile (${dockerfileName}) must be within the build context`));
  } else if (isURL(specified)) {
    try {
      ({ context: buildCtx, relDockerfile } = await contextFromURL(progress, specified, dockerfileName));
    } catch (err) {
      prepareError(err);
    }
  } else {
    throw new Error(`unable to prepare context: path ${JSON.stringify(specified)} not found`);
  }

  if (!buildCtx) {
    try {
      let excludes = readDockerignore(contextDir);
      validateContextDirectory(contextDir, excludes);
      relDockerfile = relDockerfile.split(path.sep).join('/');
      excludes = trimBuildFilesFromExcludes(excludes, relDockerfile, dockerfileFromStdin);
      buildCtx = tarDirectory(contextDir, excludes);
    } catch (err) {
      cleanup();
      throw err;
    }
  }

  if (dockerfileCtx) {
    const added = addDockerfileToContext(buildCtx, dockerfileCtx);
    buildCtx = added.stream;
    relDockerfile = added.name;
  }
  if (flags.bool('compress')) buildCtx = buildCtx.pipe(createGzip());
  return { body: buildCtx, relDockerfile, cleanup };
}

export const buildCommand: Command = {
  name: 'build',
  use: '[OPTIONS] PATH | URL | -',
  short: 'Build an image from a Dockerfile',
  flags: buildFlags,
  args: { exact: 1 },
  async run(cli, flags, [specified]) {
    const quiet = flags.bool('quiet');
    const progress: Out = quiet ? new Buffered() : cli.out;
    const buildOut: Out = quiet ? new Buffered() : cli.out;
    const iidfile = flags.string('iidfile');
    if (iidfile) {
      try {
        unlinkSync(iidfile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Removing image ID file: ${fileError(err, 'remove', iidfile).message}`);
      }
    }
    const showHeld = () => {
      if (quiet) cli.err.write(`${(progress as Buffered).text}${(buildOut as Buffered).text}`);
    };

    const prepared = await prepareContext(cli, flags, specified, progress);
    let imageID = '';
    try {
      const counter = countingStream(progress, 'Sending build context to Docker daemon');
      prepared.body.on('error', (err) => counter.stream.destroy(err));
      const body = prepared.body.pipe(counter.stream);
      let res;
      try {
        res = await cli.client().imageBuild(buildQuery(flags, prepared.relDockerfile), body);
      } catch (err) {
        showHeld();
        throw err;
      }
      // "Sending build context" comes first, unless the daemon answers before reading it all.
      const messages = jsonMessages<JsonMessage>(res)[Symbol.asyncIterator]();
      let next = messages.next();
      await Promise.race([counter.done, next]);
      const print = progressPrinter(buildOut as NodeJS.WritableStream);
      for (let item = await next; !item.done; next = messages.next(), item = await next) {
        const msg = item.value;
        if (msg.aux !== undefined) {
          const id = (msg.aux as { ID?: unknown } | null)?.ID;
          if (typeof id === 'string') imageID = id;
          continue;
        }
        if (msg.errorDetail || msg.error) {
          showHeld();
          const code = msg.errorDetail?.code || 1;
          throw new StatusError(code, msg.errorDetail?.message ?? msg.error ?? '');
        }
        print(msg);
      }
    } finally {
      prepared.cleanup();
    }

    if (quiet) {
      imageID = (buildOut as Buffered).text;
      cli.out.write(imageID);
    }
    if (iidfile) {
      if (!imageID) throw new Error(`Server did not provide an image ID. Cannot write ${iidfile}`);
      try {
        writeFileSync(iidfile, imageID, { mode: 0o666 });
      } catch (err) {
        throw fileError(err, 'open', iidfile);
      }
    }
  },
};
