// The classic builder: runs a Dockerfile's stages step by step, each step making
// one image on top of the previous one (a layer for RUN, COPY and ADD; none for
// the metadata steps), reusing an earlier image for a step when the cache allows,
// and reporting progress in dockerd 20.10's words.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { HealthConfig, HostConfig, ImageRunConfig } from '../api/types.js';
import { shortId } from '../common/ids.js';
import { resolveUser } from '../runtime/user.js';
import { parseDockerfile, parseInstruction, splitStages, type Instruction, type Stage } from './dockerfile.js';
import { expandPairs, expandWord, expandWords, type Lookup } from './expand.js';
import { platformOS } from './platform.js';
import { isURL } from './remote-context.js';
import { BuildError, keepImageDirs, SourceTree, stageCopy } from './sources.js';

export interface BuildImage {
  id: string;
  config: ImageRunConfig;
  /** Layer directories, lowest first. */
  layerDirs: string[];
}

/** What the builder needs from the engine: images, the cache, and containers for RUN. */
export interface BuildBackend {
  image(ref: string): Promise<BuildImage>;
  cached(parentId: string | undefined, containerConfig: ImageRunConfig): string | undefined;
  commit(opts: { parentId?: string; layerDir?: string; config: ImageRunConfig; containerConfig: ImageRunConfig; container?: string; createdBy: string; author?: string }): Promise<string>;
  /** Runs a container of `imageId` to its end, its output passed on as it comes. */
  run(imageId: string, config: ImageRunConfig, hostConfig: HostConfig, events: RunEvents): Promise<{ containerId: string; exitCode: number; upperDir: string }>;
  removeContainer(id: string): Promise<void>;
  tag(id: string, name: string): Promise<void>;
  /** A directory for staging COPY, ADD and WORKDIR layers. */
  tmpDir: string;
}

export interface RunEvents {
  created(containerId: string): void;
  output(stream: 'stdout' | 'stderr', data: Buffer): void;
}

export interface BuildRequest {
  /** None when the Dockerfile alone was the context (a remote text file): COPY then has no source. */
  contextDir?: string;
  dockerfileText: string;
  /** Familiar names, validated: "x:latest". */
  tags: string[];
  buildArgs: Map<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  target?: string;
  /** The OS of the requested platform, for the stages whose FROM names none. */
  platformOS?: string;
  /** What the RUN containers get beyond the defaults: network mode, extra hosts. */
  runHostConfig: HostConfig;
}

export type BuildOutput = (msg: Record<string, unknown>) => void;

/** Build args every build accepts without an ARG (they reach RUN, not the cache key). */
const PREDEFINED_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);
const DEFAULT_SHELL = ['/bin/sh', '-c'];

interface StageState {
  imageId?: string;
  config: ImageRunConfig;
  layerDirs: string[];
  /** ARGs declared in this stage, with their values (undefined: declared, no value). */
  args: Map<string, string | undefined>;
  author?: string;
  /** Whether this build set CMD (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

/** Runs a build; returns the final image id. Failures are BuildErrors with Docker's text. */
export async function build(req: BuildRequest, backend: BuildBackend, output: BuildOutput): Promise<string> {
  const parsed = parseDockerfile(req.dockerfileText);
  const { metaArgs, stages } = splitStages(parsed.instructions);
  const targetIndex = req.target === undefined ? stages.length - 1 : stages.findIndex((s) => s.name === req.target!.toLowerCase());
  if (targetIndex < 0) throw new BuildError(`failed to reach build target ${req.target} in Dockerfile`);
  if (Object.keys(req.labels).length) {
    const text = `LABEL ${Object.keys(req.labels).sort().map((k) => `${JSON.stringify(k)}=${JSON.stringify(req.labels[k])}`).join(' ')}`;
    stages[targetIndex].instructions.push(parseInstruction(text, 0));
  }
  return new Build(req, backend, output, parsed.escape, metaArgs, stages, targetIndex).run();
}

class Build {
  private readonly consumedArgs = new Set<string>();
  private readonly metaArgValues = new Map<string, string | undefined>();
  private readonly stageImages: (BuildImage | undefined)[] = [];
  private step = 0;
  private readonly totalSteps: number;
  private readonly runStages: number[];
  private context?: SourceTree;

  constructor(
    private readonly req: BuildRequest,
    private readonly backend: BuildBackend,
    private readonly output: BuildOutput,
    private readonly escape: string,
    metaArgs: Instruction[],
    private readonly stages: Stage[],
    private readonly targetIndex: number,
  ) {
    for (const arg of metaArgs) {
      const [name, value] = this.declareArg(arg, (n) => this.metaArgValues.get(n));
      this.metaArgValues.set(name, value);
    }
    this.runStages = this.neededStages();
    this.totalSteps = this.runStages.reduce((n, i) => n + 1 + stages[i].instructions.length, 0);
  }

  /** The target and the stages it depends on (FROM <stage>, COPY --from): the others are skipped. */
  private neededStages(): number[] {
    const needed = new Set<number>();
    const visit = (index: number) => {
      if (needed.has(index)) return;
      needed.add(index);
      const refs = [this.stages[index].from.args.split(/\s+/)[0], ...this.stages[index].instructions.map((i) => i.flags.get('from')).filter((f): f is string => !!f)];
      for (const ref of refs) {
        const dep = this.stageIndex(ref, index);
        if (dep !== undefined) visit(dep);
      }
    };
    visit(this.targetIndex);
    return [...needed].sort((a, b) => a - b);
  }

  /** The earlier stage a name or index refers to, if any. */
  private stageIndex(ref: string, before: number): number | undefined {
    if (/^\d+$/.test(ref)) return Number(ref) < before ? Number(ref) : undefined;
    const index = this.stages.findIndex((s) => s.name === ref.toLowerCase());
    return index >= 0 && index < before ? index : undefined;
  }

  private say(text: string): void {
    this.output({ stream: text });
  }

  async run(): Promise<string> {
    let last: BuildImage | undefined;
    for (const index of this.runStages) {
      if (last) this.output({ aux: { ID: last.id } });
      last = await this.runStage(index);
      this.stageImages[index] = last;
    }
    const unused = [...this.req.buildArgs.keys()].filter((k) => !this.consumedArgs.has(k) && !PREDEFINED_ARGS.has(k));
    if (!last?.id) throw new BuildError('No image was generated. Is your Dockerfile empty?');
    this.output({ aux: { ID: last.id } });
    if (unused.length) this.say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    this.say(`Successfully built ${shortId(last.id)}\n`);
    for (const name of this.req.tags) {
      await this.backend.tag(last.id, name);
      this.say(`Successfully tagged ${name}\n`);
    }
    return last.id;
  }

  private async runStage(index: number): Promise<BuildImage> {
    const stage = this.stages[index];
    this.announce(stage.from);
    const ref = expandWord(stage.from.args.split(/\s+/)[0], (n) => this.metaArgValue(n), this.escape);
    const os = this.stageOS(stage.from);
    const state: StageState = { config: {}, layerDirs: [], args: new Map(), cmdSet: false };
    if (ref.toLowerCase() === 'scratch') {
      // dockerd makes an empty root for its own OS only; a local image serves whatever its platform.
      if (os !== undefined && os !== 'linux') throw new BuildError('operating system is not supported');
    } else {
      const base = await this.baseImage(ref, index);
      Object.assign(state, { imageId: base.id, config: structuredClone(base.config), layerDirs: base.layerDirs });
    }
    this.say(` ---> ${state.imageId ? shortId(state.imageId) : ''}\n`);
    const triggers = state.config.OnBuild ?? [];
    if (triggers.length) {
      this.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      state.config.OnBuild = null;
      for (const trigger of triggers) await this.dispatch(state, parseInstruction(trigger, 0));
    }
    for (const ins of stage.instructions) {
      this.announce(ins);
      await this.dispatch(state, ins);
    }
    return { id: state.imageId ?? '', config: state.config, layerDirs: state.layerDirs };
  }

  private announce(ins: Instruction): void {
    this.say(`Step ${++this.step}/${this.totalSteps} : ${ins.original}`);
    this.say('\n');
  }

  /** The OS of `FROM --platform=` (build args expanded), else of the requested platform. */
  private stageOS(from: Instruction): string | undefined {
    const flag = from.flags.get('platform');
    if (flag === undefined) return this.req.platformOS;
    const specifier = expandWord(flag, (n) => this.metaArgValue(n), this.escape);
    try {
      return platformOS(specifier);
    } catch (err) {
      throw new BuildError(`failed to parse platform ${specifier}: ${(err as Error).message}`);
    }
  }

  private metaArgValue(name: string): string | undefined {
    return this.req.buildArgs.get(name) ?? this.metaArgValues.get(name);
  }

  private async baseImage(ref: string, index: number): Promise<BuildImage> {
    const stage = this.stageIndex(ref, index);
    if (stage !== undefined) return this.stageImages[stage]!;
    try {
      return await this.backend.image(ref);
    } catch (err) {
      throw new BuildError((err as Error).message);
    }
  }

  /** `ARG name[=default]`: its value is the build arg when given, else the default. */
  private declareArg(ins: Instruction, lookup: Lookup): [string, string | undefined] {
    const eq = ins.args.indexOf('=');
    const name = eq < 0 ? ins.args.trim() : ins.args.slice(0, eq);
    const fallback = eq < 0 ? undefined : expandWord(ins.args.slice(eq + 1), lookup, this.escape);
    this.consumedArgs.add(name);
    const given = this.req.buildArgs.get(name);
    return [name, given ?? fallback];
  }

  private async dispatch(state: StageState, ins: Instruction): Promise<void> {
    const env = new Map((state.config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const));
    const lookup: Lookup = (n) => env.get(n) ?? state.args.get(n);
    const word = () => expandWord(ins.args, lookup, this.escape);
    const commandOf = () => ins.json ?? [...(state.config.Shell ?? DEFAULT_SHELL), ins.args];
    const quoted = (list: string[]) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
    const config = structuredClone(state.config);
    switch (ins.keyword) {
      case 'run': {
        const buildkitOnly = [...ins.flags.keys()][0];
        if (buildkitOnly) throw requiresBuildKit(buildkitOnly);
        return this.runCommand(state, commandOf());
      }
      case 'copy':
      case 'add':
        return this.copy(state, ins, lookup);
      case 'env': {
        const pairs = expandPairs(ins.args, lookup, this.escape);
        // As dockerd: a variable already set keeps its place, a new one goes last.
        config.Env = [...(config.Env ?? [])];
        for (const [k, v] of pairs) {
          env.set(k, v);
          const at = config.Env.findIndex((e) => e.slice(0, e.indexOf('=')) === k);
          if (at >= 0) config.Env[at] = `${k}=${v}`;
          else config.Env.push(`${k}=${v}`);
        }
        return this.commitMetadata(state, config, `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'label': {
        const pairs = expandPairs(ins.args, lookup, this.escape);
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(pairs) };
        return this.commitMetadata(state, config, `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'arg': {
        const [name, value] = this.declareArg(ins, lookup);
        // An ARG without a default inside a stage takes the value of the same global ARG.
        state.args.set(name, value ?? (ins.args.includes('=') ? undefined : this.metaArgValue(name)));
        return this.commitMetadata(state, config, `ARG ${ins.args}`);
      }
      case 'workdir': {
        config.WorkingDir = path.posix.resolve(config.WorkingDir || '/', word());
        return this.workdir(state, config, config.WorkingDir);
      }
      case 'user':
        config.User = word();
        return this.commitMetadata(state, config, `USER ${config.User}`);
      case 'expose': {
        const specs = expandWords(ins.args, lookup, this.escape).sort();
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}), ...Object.fromEntries(specs.flatMap(exposedPorts).map((p) => [p, {}])) };
        return this.commitMetadata(state, config, `EXPOSE ${specs.join(' ')}`);
      }
      case 'volume': {
        const volumes = ins.json ?? expandWords(ins.args, lookup, this.escape);
        if (volumes.length === 0 || volumes.some((v) => v.trim() === '')) throw new BuildError('VOLUME specified can not be an empty string');
        config.Volumes = { ...(config.Volumes ?? {}), ...Object.fromEntries(volumes.map((v) => [v, {}])) };
        return this.commitMetadata(state, config, `VOLUME [${volumes.join(' ')}]`);
      }
      case 'stopsignal':
        config.StopSignal = word();
        return this.commitMetadata(state, config, `STOPSIGNAL ${config.StopSignal}`);
      case 'cmd':
        config.Cmd = commandOf();
        state.cmdSet = true;
        return this.commitMetadata(state, config, `CMD ${quoted(config.Cmd)}`);
      case 'entrypoint':
        config.Entrypoint = commandOf();
        if (!state.cmdSet) config.Cmd = null;
        return this.commitMetadata(state, config, `ENTRYPOINT ${quoted(config.Entrypoint)}`);
      case 'shell':
        if (!ins.json) throw new BuildError('SHELL requires the arguments to be in JSON form');
        config.Shell = ins.json;
        return this.commitMetadata(state, config, `SHELL [${ins.json.join(' ')}]`);
      case 'maintainer':
        state.author = ins.args;
        return this.commitMetadata(state, config, `MAINTAINER ${ins.args}`);
      case 'healthcheck':
        config.Healthcheck = healthcheck(ins);
        return this.commitMetadata(state, config, `HEALTHCHECK ${goHealthcheck(config.Healthcheck)}`);
      case 'onbuild': {
        const trigger = parseInstruction(ins.args, ins.line);
        if (trigger.keyword === 'onbuild') throw new BuildError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
        if (trigger.keyword === 'from' || trigger.keyword === 'maintainer') throw new BuildError(`${trigger.keyword.toUpperCase()} isn't allowed as an ONBUILD trigger`);
        config.OnBuild = [...(config.OnBuild ?? []), ins.args];
        return this.commitMetadata(state, config, `ONBUILD ${ins.args}`);
      }
      default:
        throw new BuildError(`unknown instruction: ${ins.keyword.toUpperCase()}`);
    }
  }

  /** A metadata step: a new image with the changed config and no layer. */
  private async commitMetadata(state: StageState, config: ImageRunConfig, comment: string): Promise<void> {
    const containerConfig = { ...config, Cmd: [...(config.Shell ?? DEFAULT_SHELL), '#(nop) ', comment], Image: state.imageId ?? '' };
    await this.commitStep(state, config, containerConfig, {});
    this.reportImage(state);
  }

  /**
   * WORKDIR: as dockerd, a layer of its own that creates the directory where the image lacks
   * it (root's, mode 0755, whoever USER is); where it exists the layer is empty, so there is none.
   */
  private async workdir(state: StageState, config: ImageRunConfig, dir: string): Promise<void> {
    const imageTree = new SourceTree([...state.layerDirs].reverse());
    const existing = dir === '/' ? undefined : await imageTree.find(dir.slice(1), true);
    if (existing && !existing.st.isDirectory()) throw new BuildError(`Cannot mkdir: ${dir} is not a directory`);
    await this.withStagingDir('workdir', async (stage) => {
      if (dir !== '/' && !existing) {
        await fs.mkdir(path.join(stage, dir), { recursive: true, mode: 0o755 });
        await keepImageDirs(stage, dir, imageTree);
      }
      const containerConfig = { ...config, Cmd: [...(config.Shell ?? DEFAULT_SHELL), `#(nop) WORKDIR ${dir}`], Image: state.imageId ?? '' };
      await this.commitStep(state, config, containerConfig, { layerDir: stage });
    });
    this.reportImage(state);
  }

  /** Runs `fn` with a new scratch directory under the backend's tmp dir (a layer is staged there), removed afterwards. */
  private async withStagingDir<T>(kind: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = path.join(this.backend.tmpDir, `build-${kind}-${randomBytes(8).toString('hex')}`);
    await fs.mkdir(dir, { mode: 0o755 });
    try {
      return await fn(dir);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  private reportImage(state: StageState): void {
    this.say(` ---> ${shortId(state.imageId!)}\n`);
  }

  /** Probes the cache, else makes the image; either way the stage moves on to it. */
  private async commitStep(state: StageState, config: ImageRunConfig, containerConfig: ImageRunConfig, made: { layerDir?: string; container?: string }): Promise<void> {
    let id = this.req.noCache ? undefined : this.backend.cached(state.imageId, containerConfig);
    if (id) this.say(' ---> Using cache\n');
    else {
      id = await this.backend.commit({
        parentId: state.imageId,
        ...made,
        config: { ...config, Image: state.imageId ?? '' },
        containerConfig,
        createdBy: (containerConfig.Cmd ?? []).join(' '),
        author: state.author,
      });
    }
    const image = await this.backend.image(id);
    Object.assign(state, { imageId: id, config: image.config, layerDirs: image.layerDirs });
  }

  private async runCommand(state: StageState, command: string[]): Promise<void> {
    if (!state.imageId) throw new BuildError('RUN needs an image to run in: FROM scratch has no shell');
    const envNames = new Set((state.config.Env ?? []).map((e) => e.slice(0, e.indexOf('='))));
    // Build args reach the command but not the image; they are part of the cache key.
    const argEnv = [...state.args].filter(([k, v]) => v !== undefined && !envNames.has(k)).map(([k, v]) => `${k}=${v}`);
    const proxyEnv = [...this.req.buildArgs].filter(([k, v]) => PREDEFINED_ARGS.has(k) && v !== null && !state.args.has(k)).map(([k, v]) => `${k}=${v}`);
    const containerConfig = { ...state.config, Cmd: [...(argEnv.length ? [`|${argEnv.length}`, ...argEnv] : []), ...command], Image: state.imageId };
    const cached = this.req.noCache ? undefined : this.backend.cached(state.imageId, containerConfig);
    if (cached) {
      await this.commitStep(state, state.config, containerConfig, {});
      return this.reportImage(state);
    }
    const runConfig = { ...state.config, Cmd: command, Entrypoint: [''], Env: [...proxyEnv, ...argEnv, ...(state.config.Env ?? [])] };
    const result = await this.backend
      .run(state.imageId, runConfig, this.req.runHostConfig, {
        created: (id) => this.say(` ---> Running in ${shortId(id)}\n`),
        // dockerd shows the command's stderr in red.
        output: (stream, data) => this.say(stream === 'stderr' ? `\u001b[91m${data.toString('utf8')}\u001b[0m` : data.toString('utf8')),
      })
      .catch((err: Error) => {
        throw new BuildError(err.message);
      });
    const { containerId } = result;
    if (result.exitCode !== 0) {
      if (this.req.forceRm) {
        this.say(`Removing intermediate container ${shortId(containerId)}\n`);
        await this.backend.removeContainer(containerId);
      }
      throw new BuildError(`The command '${command.join(' ')}' returned a non-zero code: ${result.exitCode}`, result.exitCode);
    }
    await this.commitStep(state, state.config, containerConfig, { layerDir: result.upperDir, container: containerId });
    if (this.req.rm || this.req.forceRm) {
      this.say(`Removing intermediate container ${shortId(containerId)}\n`);
      await this.backend.removeContainer(containerId);
    }
    this.reportImage(state);
  }

  private async copy(state: StageState, ins: Instruction, lookup: Lookup): Promise<void> {
    const name = ins.keyword.toUpperCase();
    const words = ins.json ? ins.json.map((w) => expandWord(w, lookup, this.escape)) : expandWords(ins.args, lookup, this.escape);
    if (words.length < 2) throw new BuildError(`${name} requires at least two arguments`);
    const sources = words.slice(0, -1);
    const destWord = words[words.length - 1];
    if (ins.keyword === 'copy' && sources.some(isURL)) throw new BuildError("COPY failed: source can't be a URL for COPY");
    const destIsDir = destWord.endsWith('/') || destWord === '.';
    if (sources.length > 1 && !destIsDir) throw new BuildError(`When using ${name} with more than one source file, the destination must be a directory and end with a /`);
    const dest = path.posix.resolve(state.config.WorkingDir || '/', destWord);
    const from = ins.flags.get('from');
    const tree = from ? await this.stageTree(from) : await this.contextTree(name, sources);
    const imageTree = new SourceTree([...state.layerDirs].reverse());
    const chown = ins.flags.get('chown');
    const { uid, gid } = chown ? await this.owner(imageTree, expandWord(chown, lookup, this.escape)) : { uid: 0, gid: 0 };
    // --chmod is BuildKit's: dockerd's classic builder refuses it, berth applies it.
    const chmodFlag = ins.flags.get('chmod');
    if (chmodFlag !== undefined && !/^[0-7]{3,4}$/.test(chmodFlag)) throw new BuildError(`invalid chmod parameter: ${chmodFlag}`);
    const chmod = chmodFlag === undefined ? undefined : parseInt(chmodFlag, 8);
    await this.withStagingDir('copy', async (stage) => {
      const destInImage = await imageTree.find(dest);
      const hash = await stageCopy(tree, { sources, dest, destIsDir, uid, gid, chmod, unpackArchives: ins.keyword === 'add' }, stage, !!destInImage?.st.isDirectory(), name);
      await keepImageDirs(stage, dest, imageTree);
      // dockerd glues the --chown flag to the source hash in this text; the same bytes keep history alike.
      const chownText = chown ? `--chown=${chown}` : '';
      const containerConfig = { ...state.config, Cmd: [...(state.config.Shell ?? DEFAULT_SHELL), `#(nop) ${name} ${chownText}${hash} in ${destWord} `], Image: state.imageId ?? '' };
      await this.commitStep(state, state.config, containerConfig, { layerDir: stage });
    });
    this.reportImage(state);
  }

  /** The build context; without one, only URLs can be added (dockerd's "missing build context"). */
  private async contextTree(instruction: string, sources: string[]): Promise<SourceTree> {
    if (this.req.contextDir === undefined) {
      if (!sources.every(isURL)) throw new BuildError(`${instruction} failed: missing build context`);
      return new SourceTree([]);
    }
    return (this.context ??= await SourceTree.context(this.req.contextDir));
  }

  /** COPY --from: an earlier stage (by name or index) or an image. */
  private async stageTree(from: string): Promise<SourceTree> {
    const index = this.stageIndex(from, this.stages.length);
    const image = index !== undefined ? this.stageImages[index] : await this.baseImage(from, 0);
    if (!image) throw new BuildError(`invalid from flag value ${from}: stage not built`);
    return new SourceTree([...image.layerDirs].reverse());
  }

  /** --chown's user and group, names looked up in the image's /etc/passwd and /etc/group. */
  private owner(imageTree: SourceTree, spec: string): Promise<{ uid: number; gid: number }> {
    return this.withStagingDir('etc', async (root) => {
      await fs.mkdir(path.join(root, 'etc'));
      for (const file of ['etc/passwd', 'etc/group']) {
        const found = await imageTree.find(file);
        if (found?.st.isFile()) await fs.copyFile(found.file, path.join(root, file));
      }
      // As dockerd: a user alone means the group of the same name (or number).
      const resolved = await resolveUser(root, spec.includes(':') ? spec : `${spec}:${spec}`).catch((err: Error) => {
        throw new BuildError(`unable to convert uid/gid chown string to host mapping: ${err.message}`);
      });
      return { uid: resolved.uid, gid: resolved.gid };
    });
  }
}

function requiresBuildKit(flag: string): BuildError {
  return new BuildError(`the --${flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`);
}

/** EXPOSE's port specs: "80" is "80/tcp", "8000-8002/udp" three ports. */
function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw new BuildError(`Invalid containerPort: ${spec}`);
  const first = Number(m[1]);
  const last = m[2] ? Number(m[2]) : first;
  const proto = (m[3] ?? 'tcp').toLowerCase();
  return Array.from({ length: last - first + 1 }, (_, i) => `${first + i}/${proto}`);
}

function healthcheck(ins: Instruction): HealthConfig {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(ins.args);
  const kind = m?.[1].toUpperCase();
  if (kind === 'NONE') return { Test: ['NONE'] };
  if (kind !== 'CMD') throw new BuildError('Unknown type"' + (m?.[1] ?? '') + '" in HEALTHCHECK (try CMD)');
  const rest = parseInstruction(`CMD ${m![2]}`, ins.line);
  const test = rest.json ? ['CMD', ...rest.json] : ['CMD-SHELL', rest.args];
  const duration = (flag: string) => {
    const v = ins.flags.get(flag);
    return v === undefined ? undefined : parseDuration(v, flag);
  };
  const retries = ins.flags.get('retries');
  return {
    Test: test,
    ...(duration('interval') !== undefined ? { Interval: duration('interval') } : {}),
    ...(duration('timeout') !== undefined ? { Timeout: duration('timeout') } : {}),
    ...(duration('start-period') !== undefined ? { StartPeriod: duration('start-period') } : {}),
    ...(retries !== undefined ? { Retries: Number(retries) } : {}),
  };
}

/** The healthcheck as dockerd's history prints it: Go's %v of its struct. */
function goHealthcheck(h: HealthConfig): string {
  const test = `[${(h.Test ?? []).map((t) => JSON.stringify(t)).join(' ')}]`;
  const retries = h.Retries ?? 0;
  const retriesRune = retries < 0x20 ? `'\\x${retries.toString(16).padStart(2, '0')}'` : `'${String.fromCharCode(retries)}'`;
  return `&{${test} "${goDuration(h.Interval ?? 0)}" "${goDuration(h.Timeout ?? 0)}" "${goDuration(h.StartPeriod ?? 0)}" ${retriesRune}}`;
}

/** Go's Duration.String for whole milliseconds and up: "1m30s", "500ms", "0s". */
function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  if (nanos < 1e9) return `${nanos / 1e6}ms`;
  const h = Math.floor(nanos / 3600e9);
  const m = Math.floor((nanos % 3600e9) / 60e9);
  const sec = (nanos % 60e9) / 1e9;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
}

/** Go's time.ParseDuration, in nanoseconds. */
function parseDuration(text: string, flag: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * units[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || text === '') throw new BuildError(`time: invalid duration "${text}" for --${flag}`);
  return Math.round(total);
}
