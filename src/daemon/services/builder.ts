// `POST /build`: gets the context (the tarball in the body, or a git repository or URL
// named by `remote`; a hostile tarball writes nothing outside its temporary directory),
// reads the Dockerfile in it, and runs the classic builder (src/build) with the engine's
// images and containers as its backend.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import type { HostConfig, ImageRunConfig } from '../../api/types.js';
import { decompress } from '../../archive/compression.js';
import { extractTar } from '../../archive/extract.js';
import { isOpaque } from '../../archive/layer-view.js';
import { build, type BuildBackend, type BuildImage, type BuildOutput, type BuildRequest, type RunEvents } from '../../build/builder.js';
import { cloneGitRepository, downloadRemoteContext, isGitURL, isURL } from '../../build/remote-context.js';
import { serverError } from '../../common/errors.js';
import { humanSize } from '../../common/units.js';
import { ETC_MOUNT_TARGETS, isLeftMountTarget } from '../../runtime/etc-files.js';
import { validateExtraHost } from '../../runtime/extra-hosts.js';
import { resolveInRoot } from '../../runtime/user.js';
import { BuildError, SourceTree } from '../../build/sources.js';
import type { ContainerService } from './containers.js';
import type { ImageService } from './images.js';

export type BuildOptions = Omit<BuildRequest, 'contextDir' | 'dockerfileText'> & {
  dockerfile: string;
  /** A git repository or http(s) URL to build from instead of the body. */
  remote: string;
};

const DEFAULT_DOCKERFILE = 'Dockerfile';

export class BuilderService implements BuildBackend {
  readonly tmpDir: string;

  constructor(
    private readonly images: ImageService,
    private readonly containers: ContainerService,
  ) {
    // Under the data root's tmp, which berthd empties when it starts: a crash leaves nothing behind.
    this.tmpDir = path.join(images.dataRoot, 'tmp');
  }

  /** Builds from the context tarball in `body` (plain or compressed) or from `opts.remote`. Returns the image id. */
  async build(body: Readable, opts: BuildOptions, output: BuildOutput): Promise<string> {
    const dir = path.join(this.tmpDir, `build-${randomBytes(8).toString('hex')}`);
    await fs.mkdir(dir, { mode: 0o700 });
    try {
      return await build({ ...opts, ...(await this.context(dir, body, opts, output)) }, this, output);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** remotecontext.Detect: the context directory (made under `dir`) and the Dockerfile's text. */
  private async context(dir: string, body: Readable, opts: BuildOptions, output: BuildOutput): Promise<{ contextDir?: string; dockerfileText: string }> {
    const { remote } = opts;
    let contextDir = path.join(dir, 'context');
    if (!remote) {
      await unpackContext(body, contextDir);
    } else if (isGitURL(remote)) {
      contextDir = (await cloneGitRepository(remote, path.join(dir, 'git-'))).dir;
    } else if (isURL(remote)) {
      const download = await downloadRemoteContext(remote);
      // dockerd reports the download when its reader meets the end: the Dockerfile's and a
      // decompressor's do, a plain tar's stops at the archive's end marker and never does.
      const readToEnd = download.isDockerfile || download.compressed;
      const content = readToEnd ? download.body.pipe(reportDownload(remote, download.isDockerfile, output)) : download.body;
      // A text file is the Dockerfile itself, whatever `dockerfile` says, and there is no context.
      if (download.isDockerfile) return { dockerfileText: await readText(content) };
      await unpackContext(content, contextDir);
    } else {
      throw serverError(`remoteURL (${remote}) could not be recognized as URL`);
    }
    return { contextDir, dockerfileText: await readDockerfile(contextDir, opts.dockerfile) };
  }

  async image(ref: string): Promise<BuildImage> {
    const image = await this.images.resolve(ref);
    return { id: image.id, config: image.config.config ?? {}, layerDirs: image.layerDirs };
  }

  cached(parentId: string | undefined, containerConfig: ImageRunConfig): string | undefined {
    return this.images.findChildImage(parentId, containerConfig);
  }

  commit(opts: Parameters<BuildBackend['commit']>[0]): Promise<string> {
    return this.images.createChildImage(opts);
  }

  async run(imageId: string, config: ImageRunConfig, hostConfig: HostConfig, events: RunEvents) {
    // As dockerd's container create checks them: the first RUN fails on a malformed one.
    hostConfig.ExtraHosts?.forEach(validateExtraHost);
    // A copy per container: create fills in the defaults of the one it is given.
    const { Id: containerId } = await this.containers.create({ ...config, Image: imageId, AttachStdout: true, AttachStderr: true, HostConfig: structuredClone(hostConfig) }, '');
    events.created(containerId);
    const input = new PassThrough();
    const attached = this.containers.attach(containerId, { input, output: new FrameSplitter(events.output), close: () => input.end() }, { stdin: false, stdout: true, stderr: true });
    const exited = this.containers.wait(containerId, 'next-exit');
    try {
      await this.containers.start(containerId);
    } catch (err) {
      await this.removeContainer(containerId);
      throw err;
    }
    const exitCode = await exited;
    await attached;
    const upperDir = this.containers.rootfs(containerId).upper;
    await removeMountTargets(upperDir, new SourceTree([...(await this.images.resolve(imageId)).layerDirs].reverse()));
    return { containerId, exitCode, upperDir };
  }

  /** With the anonymous volumes the image's VOLUMEs gave the step, as dockerd's builder does. */
  removeContainer(id: string): Promise<void> {
    return this.containers.remove(id, { force: true, volumes: true });
  }

  tag(id: string, name: string): Promise<void> {
    return this.images.tagReference(id, name);
  }
}

async function unpackContext(tarball: Readable, contextDir: string): Promise<void> {
  await fs.mkdir(contextDir);
  await extractTar(Readable.from(withEndBlocks(await decompress(tarball))), contextDir, { ownership: false });
}

/** The Dockerfile in the context; for the default name, "dockerfile" will do, as in dockerd. */
async function readDockerfile(contextDir: string, name: string): Promise<string> {
  const read = (candidate: string) => resolveInRoot(contextDir, candidate).then((file) => fs.readFile(file, 'utf8')).catch(() => undefined);
  const text = (await read(name)) ?? (name === DEFAULT_DOCKERFILE ? await read(name.toLowerCase()) : undefined);
  if (text === undefined) throw new BuildError(`Cannot locate specified Dockerfile: ${name}`);
  if (text.trim() === '') throw new BuildError(`the Dockerfile (${name}) cannot be empty`);
  return text;
}

async function readText(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Passes a download through and, once it has all been read, reports its size as dockerd's
 * progress reader does ("Downloading context"); the Dockerfile's reader also makes the empty
 * last read, on which dockerd adds an empty message.
 */
function reportDownload(url: string, isDockerfile: boolean, output: BuildOutput): Transform {
  let current = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      current += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      output({ status: url, progressDetail: { current }, progress: humanSize(current).padStart(8), id: 'Downloading context' });
      if (isDockerfile) output({});
      done();
    },
  });
}

/**
 * The context followed by zeros: the docker CLI sends a Dockerfile from outside the
 * context in a tar it closes before the last entry's padding and the end blocks
 * (dockerd's reader takes that as the end). Zeros complete both; after a complete
 * archive they are ignored.
 */
async function* withEndBlocks(input: Readable): AsyncGenerator<Buffer> {
  let length = 0;
  for await (const chunk of input) {
    length += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  // The reader wants whole 512-byte blocks: pad to the next boundary, then two end blocks.
  yield Buffer.alloc(((512 - (length % 512)) % 512) + 1024);
}

/** The runtime's leftover mount targets (ETC_MOUNT_TARGETS) are not the step's work, so no layer keeps them. */
async function removeMountTargets(upperDir: string, image: SourceTree): Promise<void> {
  for (const target of ETC_MOUNT_TARGETS) {
    const file = path.join(upperDir, target);
    const st = await fs.lstat(file).catch(() => undefined);
    if (st && isLeftMountTarget(st)) await fs.rm(file);
  }
  // Making them copied /etc up (or made it, in an image without one). Left empty, not opaque,
  // and as the image has it, it is that copy, not the step's work: dockerd's layer lacks it too.
  const etc = path.join(upperDir, 'etc');
  const st = await fs.lstat(etc).catch(() => undefined);
  if (!st?.isDirectory() || (await fs.readdir(etc)).length > 0 || (await isOpaque(etc))) return;
  const below = (await image.find('etc'))?.st;
  if (!below || (below.isDirectory() && below.mode === st.mode && below.uid === st.uid && below.gid === st.gid)) await fs.rmdir(etc);
}

/** Reads Docker's multiplexed frames ([stream, 0, 0, 0, size BE32] + data) into stdout/stderr chunks. */
class FrameSplitter extends Writable {
  private pending = Buffer.alloc(0);

  constructor(private readonly onData: (stream: 'stdout' | 'stderr', data: Buffer) => void) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error) => void): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      this.onData(this.pending[0] === 2 ? 'stderr' : 'stdout', this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
    done();
  }
}
