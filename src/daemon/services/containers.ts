import { existsSync, promises as fs, watch } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContainerCreateRequest, ContainerConfig, ContainerState, HostConfig } from '../../api/types.js';
import { writeJsonAtomic } from '../../common/atomic-fs.js';
import { ApiError, badParameter, conflict, errorMessage, notModified, serverError } from '../../common/errors.js';
import { newId, shortId } from '../../common/ids.js';
import { log } from '../../common/log.js';
import { etcFilePaths, writeEtcFiles, writeHostsFile } from '../../runtime/etc-files.js';
import { validateExtraHost } from '../../runtime/extra-hosts.js';
import { writeControl, type Monitor } from '../../runtime/monitor.js';
import { buildOciSpec, containerEnv, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from '../../runtime/oci-spec.js';
import type { OciRuntime } from '../../runtime/oci-runtime.js';
import { ContainerRootfs } from '../../runtime/rootfs.js';
import { resolveInRoot, resolveUser } from '../../runtime/user.js';
import { nameConflict, type ContainerRecord, type ContainerStore } from '../../store/container-store.js';
import { directorySize } from '../../store/layer-store.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys, pipeAttach, type ClientStream } from './attach.js';
import { streamLogs, type LogOptions } from './container-logs.js';
import { mergeImageConfig, validateName, generateName } from './container-config.js';
import { requestedMounts } from './mounts.js';
import type { EventService } from './events.js';
import type { ImageService } from './images.js';
import type { ContainerNetworking, NetworkService } from './networks.js';
import type { VolumeService } from './volumes.js';
import { parseSignal } from './signals.js';
import { LogRotator, logSettings } from './log-rotation.js';

type WaitCondition = 'not-running' | 'next-exit' | 'removed';

interface PendingAttach {
  client: ClientStream;
  opts: { stdin: boolean; stdout: boolean; stderr: boolean; detachKeys: number[] };
  done: (result: { detached: boolean }) => void;
}

/**
 * The container lifecycle: create, start, stop, kill, wait, remove, and the state
 * machine between them. Containers run under conmon, so they outlive berthd; on
 * start berthd adopts the ones still running and records the exits it missed.
 */
export class ContainerService {
  readonly store: ContainerStore;
  private readonly waiters = new Map<string, { condition: WaitCondition; resolve: (code: number) => void }[]>();
  private readonly pendingAttaches = new Map<string, Set<PendingAttach>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly runtimeDeletes = new Map<string, Promise<void>>();
  private readonly rotator: LogRotator;
  /** Containers stopped by the user, which restart policies leave alone. */
  private readonly manuallyStopped = new Set<string>();

  constructor(
    private readonly deps: {
      dataRoot: string;
      execRoot: string;
      images: ImageService;
      runtime: OciRuntime;
      monitor: Monitor;
      events: EventService;
      networks: NetworkService;
      volumes: VolumeService;
      store: ContainerStore;
    },
  ) {
    this.store = deps.store;
    this.rotator = new LogRotator((id) => this.bundleDir(id));
  }

  // ---- start-up and exits -------------------------------------------------

  /** Loads the store and reconciles it with what ran while berthd was away. */
  async init(): Promise<void> {
    await fs.mkdir(this.deps.monitor.exitDir, { recursive: true });
    await fs.mkdir(this.deps.monitor.socketDir, { recursive: true });
    const records = await this.store.load();
    for (const record of records) {
      if (!record.state.Running) {
        // A start that berthd's death interrupted: undo what it set up.
        if (existsSync(this.bundleDir(record.id)) || record.netnsPath) {
          await this.releaseRuntime(record).catch(() => undefined);
          await this.store.save(record);
        }
        continue;
      }
      const exit = await this.readExitFile(record.id);
      if (exit !== undefined) await this.handleExit(record.id, exit);
      else if (!isAlive(record.monitorPid) && !isAlive(record.state.Pid)) await this.handleExit(record.id, 255);
      else this.rotator.watch(record, this.logPath(record.id));
    }
    this.watchExits();
  }

  /**
   * conmon writes `<exitDir>/<id>` (through a temporary name and a rename). Any
   * change triggers a scan of the whole directory, so coalesced or missed events
   * cannot lose an exit.
   */
  private watchExits(): void {
    let scanning = false;
    let again = false;
    const scan = async () => {
      if (scanning) {
        again = true;
        return;
      }
      scanning = true;
      do {
        again = false;
        for (const name of await fs.readdir(this.deps.monitor.exitDir).catch(() => [] as string[])) {
          if (!/^[0-9a-f]{64}$/.test(name)) continue;
          const code = await this.readExitFile(name);
          if (code !== undefined) await this.handleExit(name, code).catch((err) => log.error('exit handling failed', { id: name, err: errorMessage(err) }));
        }
      } while (again);
      scanning = false;
    };
    watch(this.deps.monitor.exitDir, () => void scan()).on('error', (err) => log.error('exit watcher failed', { err: errorMessage(err) }));
    void scan();
  }

  private async readExitFile(id: string): Promise<number | undefined> {
    const text = await fs.readFile(this.deps.monitor.exitFile(id), 'utf8').catch(() => undefined);
    if (text === undefined || text.trim() === '') return undefined;
    const code = Number(text.trim());
    return code < 0 ? 255 : code;
  }

  /** A container's main process ended: record it, release its resources, notify waiters. */
  private handleExit(id: string, exitCode: number): Promise<void> {
    return this.withLock(id, async () => {
      await fs.rm(this.deps.monitor.exitFile(id), { force: true });
      const record = this.store.find(id);
      if (!record || !record.state.Running) return;
      this.rotator.unwatch(id);
      await this.releaseRuntime(record);
      Object.assign(record.state, {
        Status: 'exited',
        Running: false,
        Paused: false,
        Restarting: false,
        Pid: 0,
        ExitCode: exitCode,
        FinishedAt: new Date().toISOString(),
      } satisfies Partial<ContainerState>);
      record.monitorPid = 0;
      await this.store.save(record);
      this.deps.events.emit('container', 'die', id, { ...this.eventAttributes(record), exitCode: String(exitCode) });
      this.notifyWaiters(id, ['next-exit', 'not-running'], exitCode);
      const stoppedByUser = this.manuallyStopped.delete(id);
      if (record.hostConfig.AutoRemove) {
        void this.remove(id, { force: true, volumes: true }).catch(() => undefined);
      } else if (!stoppedByUser && this.shouldRestart(record)) {
        this.scheduleRestart(record);
      }
    });
  }

  private shouldRestart(record: ContainerRecord): boolean {
    const policy = record.hostConfig.RestartPolicy;
    switch (policy?.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return record.state.ExitCode !== 0 && (!policy.MaximumRetryCount || record.restartCount < policy.MaximumRetryCount);
      default:
        return false;
    }
  }

  /** Docker's backoff: 100 ms doubling per consecutive restart, capped at a minute. */
  private scheduleRestart(record: ContainerRecord): void {
    const delay = Math.min(100 * 2 ** Math.min(record.restartCount, 10), 60_000);
    record.state.Restarting = true;
    record.state.Status = 'restarting';
    setTimeout(() => {
      const current = this.store.find(record.id);
      if (!current || !current.state.Restarting) return;
      current.restartCount++;
      current.state.Restarting = false;
      this.start(current.id).catch((err) => {
        current.state.Status = 'exited';
        log.warn('restart failed', { id: current.id, err: errorMessage(err) });
      });
    }, delay).unref();
  }

  // ---- create -----------------------------------------------------------

  async create(body: ContainerCreateRequest, requestedName: string): Promise<{ Id: string; Warnings: string[] }> {
    if (!body || typeof body !== 'object') throw badParameter('config cannot be empty in order to create a container');
    if (!body.Image) throw badParameter('No command specified');
    const name = requestedName ? validateName(requestedName) : generateName((n) => this.store.nameOwner(n) !== undefined);
    const owner = this.store.nameOwner(name);
    if (owner) throw nameConflict(name, owner);
    const image = await this.deps.images.resolve(body.Image);
    const id = newId();
    const { HostConfig: hostConfig = {}, NetworkingConfig: _networking, ...requested } = body;
    const networks = this.deps.networks.endpointsForCreate(id, `/${name.replace(/^\//, '')}`, body, hostConfig);
    // With the host's network a container has the host's name, as in Docker.
    const hostname = hostConfig.NetworkMode === 'host' ? os.hostname() : shortId(id);
    const config: ContainerConfig = mergeImageConfig(requested, image.config.config ?? {}, hostname);
    config.Image = body.Image;
    const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    if (command.length === 0) throw badParameter('No command specified');
    validateHostConfig(hostConfig);
    const mountRequests = requestedMounts(hostConfig, config, (ref) => this.store.find(ref));
    hostConfig.NetworkMode ||= 'default';
    hostConfig.LogConfig = { Type: hostConfig.LogConfig?.Type || 'json-file', Config: hostConfig.LogConfig?.Config ?? {} };
    hostConfig.RestartPolicy ??= { Name: 'no', MaximumRetryCount: 0 };
    // As dockerd stores them: OomKillDisable false when unset, a non-positive PidsLimit as none.
    hostConfig.OomKillDisable ??= false;
    if (!(Number(hostConfig.PidsLimit) > 0)) hostConfig.PidsLimit = null;
    hostConfig.Runtime = this.deps.runtime.name;
    hostConfig.KernelMemory ??= 0;
    hostConfig.KernelMemoryTCP ??= 0;
    if (hostConfig.MemorySwappiness === -1) hostConfig.MemorySwappiness = null;
    if (!hostConfig.Privileged) {
      hostConfig.MaskedPaths ??= [...DEFAULT_MASKED_PATHS];
      hostConfig.ReadonlyPaths ??= [...DEFAULT_READONLY_PATHS];
    }
    const mounts = await this.deps.volumes.containerMounts(id, mountRequests, image.layerDirs);
    const record: ContainerRecord = {
      id,
      name,
      created: new Date().toISOString(),
      path: command[0],
      args: command.slice(1),
      config,
      hostConfig,
      image: image.id,
      imageRef: body.Image,
      state: {
        Status: 'created',
        Running: false,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: 0,
        ExitCode: 0,
        Error: '',
        StartedAt: '0001-01-01T00:00:00Z',
        FinishedAt: '0001-01-01T00:00:00Z',
      },
      restartCount: 0,
      runtime: this.deps.runtime.name,
      monitorPid: 0,
      hasBeenStarted: false,
      networks,
      mounts,
    };
    try {
      await this.store.add(record);
    } finally {
      this.deps.volumes.releaseClaims(id);
    }
    await this.rootfs(id).prepare();
    this.deps.events.emit('container', 'create', id, this.eventAttributes(record));
    return { Id: id, Warnings: [] };
  }

  // ---- start ----------------------------------------------------------------

  start(ref: string): Promise<void> {
    const record = this.store.get(ref);
    return this.withLock(record.id, () => this.startLocked(record));
  }

  private async startLocked(record: ContainerRecord): Promise<void> {
    if (record.state.Paused) throw conflict('cannot start a paused container, try unpause instead');
    if (record.state.Running) throw notModified();
    if (record.state.Status === 'removing') throw conflict(`container is marked for removal and cannot be started`);
    const { id } = record;
    const t0 = Date.now();
    const bundle = this.bundleDir(id);
    const rootfs = this.rootfs(id);
    await this.runtimeReleased(id);
    try {
      const image = await this.deps.images.resolve(record.image);
      // The network comes up beside the root filesystem.
      const [mounted, attached] = await Promise.allSettled([
        rootfs.prepare().then(() => rootfs.mount(image.layerDirs)),
        this.deps.networks.attach(record),
      ]);
      if (mounted.status === 'rejected') throw mounted.reason;
      if (attached.status === 'rejected') throw attached.reason;
      const networking: ContainerNetworking = attached.value;
      await fs.mkdir(bundle, { recursive: true });
      const etc = etcFilePaths(this.store.dir(id));
      if (networking.shareEtcFrom) {
        const shared = etcFilePaths(this.store.dir(networking.shareEtcFrom));
        await Promise.all([fs.copyFile(shared.hostsPath, etc.hostsPath), fs.copyFile(shared.hostnamePath, etc.hostnamePath), fs.copyFile(shared.resolvConfPath, etc.resolvConfPath)]);
      } else {
        await writeEtcFiles(etc, {
          hostname: record.config.Hostname || shortId(id),
          domainname: record.config.Domainname,
          extraHosts: [...this.extraHosts(record), ...networking.hostsEntries],
          hostNetwork: networking.namespace === 'host',
          embeddedDns: networking.embeddedDns,
          dns: record.hostConfig.Dns ?? undefined,
          dnsSearch: record.hostConfig.DnsSearch ?? undefined,
          dnsOptions: record.hostConfig.DnsOptions ?? undefined,
        });
      }
      const mounts = await this.deps.volumes.attach(record);
      const user = await resolveUser(rootfs.merged, record.config.User ?? '');
      if (record.config.WorkingDir) await ensureWorkingDir(rootfs.merged, record.config.WorkingDir, user);
      const spec = buildOciSpec({
        args: [record.path, ...record.args],
        env: containerEnv([...networking.linkEnv, ...(record.config.Env ?? [])], { hostname: record.config.Hostname || shortId(id), tty: !!record.config.Tty }),
        cwd: record.config.WorkingDir || '/',
        user,
        terminal: !!record.config.Tty,
        hostname: record.config.Hostname || shortId(id),
        domainname: record.config.Domainname,
        rootfs: rootfs.merged,
        readonlyRootfs: !!record.hostConfig.ReadonlyRootfs,
        containerFiles: { hosts: etc.hostsPath, hostname: etc.hostnamePath, resolvConf: etc.resolvConfPath },
        network: networking.namespace,
        init: !!record.hostConfig.Init,
        cgroupsPath: `/berth/${id}`,
        privileged: !!record.hostConfig.Privileged,
        capAdd: record.hostConfig.CapAdd ?? [],
        capDrop: record.hostConfig.CapDrop ?? [],
        shmSize: record.hostConfig.ShmSize || undefined,
        consoleSize: consoleSize(record.hostConfig.ConsoleSize),
        mounts,
      });
      await writeJsonAtomic(path.join(bundle, 'config.json'), spec);
      const logs = logSettings(record);
      await fs.rm(this.deps.monitor.exitFile(id), { force: true });
      const { pid, monitorPid } = await this.deps.monitor
        .create({
          id,
          bundle,
          logPath: this.logPath(id),
          logSizeMax: logs.backstopSize,
          stdin: !!record.config.OpenStdin,
          terminal: !!record.config.Tty,
          leaveStdinOpen: !record.config.StdinOnce,
        })
        .catch((err) => {
          throw new Error(`OCI runtime create failed: ${errorMessage(err)}: unknown`);
        });
      this.connectPendingAttaches(record);
      await this.deps.runtime.start(id);
      log.debug('container started', { id, ms: Date.now() - t0 });
      Object.assign(record.state, {
        Status: 'running',
        Running: true,
        Paused: false,
        Restarting: false,
        Pid: pid,
        ExitCode: 0,
        Error: '',
        StartedAt: new Date().toISOString(),
        FinishedAt: '0001-01-01T00:00:00Z',
      } satisfies Partial<ContainerState>);
      record.monitorPid = monitorPid;
      record.hasBeenStarted = true;
      await this.store.save(record);
      this.rotator.watch(record, this.logPath(record.id));
      this.deps.events.emit('container', 'start', id, this.eventAttributes(record));
      await this.refreshLinkedHosts(record);
    } catch (err) {
      await this.releaseRuntime(record).catch(() => undefined);
      const message = errorMessage(err);
      record.state.Error = message;
      record.state.ExitCode = /executable file not found|no such file or directory/.test(message) ? 127 : /permission denied/.test(message) ? 126 : 128;
      record.state.Status = record.hasBeenStarted ? 'exited' : 'created';
      await this.store.save(record);
      this.cancelPendingAttaches(id);
      // As dockerd: a container that was to remove itself goes when its start fails.
      if (record.hostConfig.AutoRemove) setImmediate(() => void this.remove(id, { force: true, volumes: true }).catch(() => undefined));
      throw serverError(message);
    }
  }

  /** --add-host entries, with `host-gateway` resolved to the host's address on the default bridge. */
  private extraHosts(record: ContainerRecord): string[] {
    return (record.hostConfig.ExtraHosts ?? []).map((entry) => entry.replace(/:host-gateway$/, `:${this.deps.networks.hostGateway()}`));
  }

  /** Containers linking to this one get its new address in their /etc/hosts (the environment stays as it was). */
  private async refreshLinkedHosts(record: ContainerRecord): Promise<void> {
    for (const parent of this.deps.networks.linkedBy(record)) {
      await writeHostsFile(etcFilePaths(this.store.dir(parent.id)).hostsPath, {
        extraHosts: [...this.extraHosts(parent), ...this.deps.networks.hostsEntries(parent)],
        hostNetwork: false,
      }).catch((err) => log.warn('could not update the hosts file of a linking container', { id: parent.id, err: errorMessage(err) }));
    }
  }

  /** Runtime state, mounts, cgroups and network of a container that is no longer running. */
  private async releaseRuntime(record: ContainerRecord): Promise<void> {
    const { id } = record;
    await this.deps.networks.detach(record).catch((err) => log.warn('network teardown failed', { id, err: errorMessage(err) }));
    this.deps.volumes.detach(record);
    // The bundle exists from start until release: without it the runtime knows nothing
    // of the container. `runc delete` (cgroups, runtime state) runs beside the rest and
    // is awaited only by what needs it gone (a new start, an explicit remove), so it
    // stays off the path of `docker run --rm`.
    if (existsSync(this.bundleDir(id))) {
      const deleted: Promise<void> = this.deps.runtime
        .delete(id, true)
        .catch((err) => log.warn('runtime delete failed', { id, err: errorMessage(err) }))
        .finally(() => {
          if (this.runtimeDeletes.get(id) === deleted) this.runtimeDeletes.delete(id);
        });
      this.runtimeDeletes.set(id, deleted);
    }
    await this.rootfs(id).unmount();
    await fs.rm(this.bundleDir(id), { recursive: true, force: true });
  }

  /** Resolves once the runtime has forgotten the container. */
  private runtimeReleased(id: string): Promise<void> {
    return this.runtimeDeletes.get(id) ?? Promise.resolve();
  }

  // ---- stop, kill, restart, pause ---------------------------------------------

  async stop(ref: string, timeoutSeconds?: number): Promise<void> {
    const record = this.store.get(ref);
    if (!record.state.Running) throw notModified();
    this.manuallyStopped.add(record.id);
    if (record.state.Restarting) record.state.Restarting = false;
    const timeout = timeoutSeconds ?? record.config.StopTimeout ?? 10;
    const stopSignal = parseSignal(record.config.StopSignal || 'SIGTERM');
    const exited = this.waitFor(record.id, 'next-exit');
    if (record.state.Paused) await this.deps.runtime.resume(record.id).catch(() => undefined);
    this.signalWithEvent(record, stopSignal);
    const timer = new Promise<'timeout'>((r) => {
      if (timeout >= 0) setTimeout(() => r('timeout'), timeout * 1000).unref();
    });
    if ((await Promise.race([exited, timer])) === 'timeout') {
      this.signalWithEvent(record, parseSignal('SIGKILL'));
      await exited;
    }
    this.deps.events.emit('container', 'stop', record.id, this.eventAttributes(record));
  }

  async restart(ref: string, timeoutSeconds?: number): Promise<void> {
    const record = this.store.get(ref);
    if (record.state.Running) await this.stop(record.id, timeoutSeconds);
    await this.start(record.id);
    this.deps.events.emit('container', 'restart', record.id, this.eventAttributes(record));
  }

  kill(ref: string, signalSpec = 'SIGKILL'): void {
    const record = this.store.get(ref);
    const signal = parseSignal(signalSpec);
    if (!record.state.Running) throw conflict(`Cannot kill container: ${ref}: Container ${record.id} is not running`);
    if (signal === parseSignal('SIGKILL')) this.manuallyStopped.add(record.id);
    this.signalWithEvent(record, signal);
  }

  private signalWithEvent(record: ContainerRecord, signal: number): void {
    this.signal(record, signal);
    this.deps.events.emit('container', 'kill', record.id, { ...this.eventAttributes(record), signal: String(signal) });
  }

  private signal(record: ContainerRecord, signal: number): void {
    try {
      process.kill(record.state.Pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  async pause(ref: string): Promise<void> {
    const record = this.store.get(ref);
    if (!record.state.Running) throw conflict(`Container ${record.id} is not running`);
    if (record.state.Paused) throw conflict(`Container ${record.id} is already paused`);
    await this.deps.runtime.pause(record.id);
    record.state.Paused = true;
    record.state.Status = 'paused';
    await this.store.save(record);
    this.deps.events.emit('container', 'pause', record.id, this.eventAttributes(record));
  }

  async unpause(ref: string): Promise<void> {
    const record = this.store.get(ref);
    if (!record.state.Paused) throw conflict(`Container ${record.id} is not paused`);
    await this.deps.runtime.resume(record.id);
    record.state.Paused = false;
    record.state.Status = 'running';
    await this.store.save(record);
    this.deps.events.emit('container', 'unpause', record.id, this.eventAttributes(record));
  }

  // ---- wait -------------------------------------------------------------------

  async wait(ref: string, condition: string): Promise<number> {
    const record = this.store.get(ref);
    if (!['not-running', 'next-exit', 'removed', ''].includes(condition)) {
      throw badParameter(`invalid condition: "${condition}"`);
    }
    const c = (condition || 'not-running') as WaitCondition;
    if (c === 'not-running' && !record.state.Running && !record.state.Restarting) return record.state.ExitCode;
    return this.waitFor(record.id, c);
  }

  private waitFor(id: string, condition: WaitCondition): Promise<number> {
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push({ condition, resolve });
      this.waiters.set(id, list);
    });
  }

  private notifyWaiters(id: string, conditions: WaitCondition[], code: number): void {
    const list = this.waiters.get(id);
    if (!list) return;
    const remaining = list.filter((w) => {
      if (!conditions.includes(w.condition)) return true;
      w.resolve(code);
      return false;
    });
    if (remaining.length) this.waiters.set(id, remaining);
    else this.waiters.delete(id);
  }

  // ---- remove, rename, prune --------------------------------------------------------

  async remove(ref: string, opts: { force: boolean; volumes: boolean }): Promise<void> {
    const record = this.store.get(ref);
    if (record.state.Status === 'removing') throw conflict(`removal of container ${ref} is already in progress`);
    if (record.state.Running && !opts.force) {
      const verb = record.state.Paused ? 'paused' : 'running';
      throw conflict(
        `You cannot remove a ${verb} container ${record.id}. Stop the container before attempting removal or force remove`,
      );
    }
    if (record.state.Running) {
      const exited = this.waitFor(record.id, 'next-exit');
      this.manuallyStopped.add(record.id);
      if (record.state.Paused) await this.deps.runtime.resume(record.id).catch(() => undefined);
      this.signal(record, parseSignal('SIGKILL'));
      await exited;
    }
    await this.withLock(record.id, async () => {
      if (!this.store.find(record.id)) return;
      record.state.Status = 'removing';
      record.state.Restarting = false;
      await this.finishRemove(record, opts.volumes);
    });
    await this.runtimeReleased(record.id);
  }

  /** As dockerd: the anonymous volumes go (when asked) before anyone hears of the removal. */
  private async finishRemove(record: ContainerRecord, removeVolumes: boolean): Promise<void> {
    this.rotator.unwatch(record.id);
    this.cancelPendingAttaches(record.id);
    await this.releaseRuntime(record);
    await this.store.remove(record);
    if (removeVolumes) await this.deps.volumes.removeAnonymous(record);
    this.deps.events.emit('container', 'destroy', record.id, this.eventAttributes(record));
    this.notifyWaiters(record.id, ['removed', 'next-exit', 'not-running'], record.state.ExitCode);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const record = this.store.get(ref);
    if (!newName) throw badParameter('Neither old nor new names may be empty');
    const name = newName.startsWith('/') ? newName : `/${newName}`;
    if (name === record.name) throw badParameter('Renaming a container with the same name as its current name');
    const oldName = record.name;
    try {
      await this.store.rename(record, validateName(name));
    } catch (err) {
      throw new ApiError(err instanceof ApiError ? err.statusCode : 500, `Error when allocating new name: ${errorMessage(err)}`);
    }
    this.deps.events.emit('container', 'rename', record.id, { ...this.eventAttributes(record), oldName });
  }

  async prune(keep: (record: ContainerRecord) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const record of this.store.all()) {
      if (record.state.Running || record.state.Status === 'removing' || keep(record)) continue;
      reclaimed += await this.upperSize(record.id);
      await this.remove(record.id, { force: false, volumes: false });
      deleted.push(record.id);
    }
    this.deps.events.emit('container', 'prune', '', { reclaimed: String(reclaimed) });
    return { ContainersDeleted: deleted, SpaceReclaimed: reclaimed };
  }

  /** Turns the container's own layer into an image (pausing it meanwhile, as Docker does). */
  async commit(
    ref: string,
    opts: { config: Partial<ContainerConfig>; pause: boolean; repo?: string; tag?: string; comment?: string; author?: string; changes: string[] },
  ): Promise<string> {
    const record = this.store.get(ref);
    const pause = opts.pause && record.state.Running && !record.state.Paused;
    if (pause) await this.pause(record.id);
    try {
      const imageId = await this.deps.images.commitContainer({
        upperDir: this.rootfs(record.id).upper,
        parentImageId: record.image,
        containerId: record.id,
        containerConfig: { ...record.config, ...opts.config },
        repo: opts.repo,
        tag: opts.tag,
        comment: opts.comment,
        author: opts.author,
        changes: opts.changes,
      });
      this.deps.events.emit('container', 'commit', record.id, { ...this.eventAttributes(record), comment: opts.comment ?? '' });
      return imageId;
    } finally {
      if (pause) await this.unpause(record.id);
    }
  }

  // ---- attach, logs, resize -------------------------------------------------------------

  /**
   * Joins a client to the container's streams: now if it runs, else when it starts
   * (the `docker run` order: attach, then start).
   */
  async attach(
    ref: string,
    client: ClientStream,
    opts: { stdin: boolean; stdout: boolean; stderr: boolean; detachKeys?: string },
  ): Promise<{ detached: boolean }> {
    const record = this.store.get(ref);
    const result = await this.joinStreams(record, client, opts);
    if (result.detached) this.deps.events.emit('container', 'detach', record.id, this.eventAttributes(record));
    return result;
  }

  private joinStreams(
    record: ContainerRecord,
    client: ClientStream,
    opts: { stdin: boolean; stdout: boolean; stderr: boolean; detachKeys?: string },
  ): Promise<{ detached: boolean }> {
    if (record.state.Paused) throw conflict(`container ${record.id} is paused, unpause the container before attach`);
    this.deps.events.emit('container', 'attach', record.id, this.eventAttributes(record));
    const detachKeys = parseDetachKeys(opts.detachKeys ?? DEFAULT_DETACH_KEYS);
    const full = { ...opts, stdin: opts.stdin && !!record.config.OpenStdin, detachKeys };
    if (record.state.Running) {
      return pipeAttach(this.deps.monitor.attachSocket(record.id), client, { ...full, tty: !!record.config.Tty }).finally(() => client.close());
    }
    return new Promise((resolve) => {
      const pending: PendingAttach = { client, opts: full, done: resolve };
      const set = this.pendingAttaches.get(record.id) ?? new Set();
      set.add(pending);
      this.pendingAttaches.set(record.id, set);
      client.input.once('close', () => {
        if (set.delete(pending)) resolve({ detached: false });
      });
    });
  }

  private connectPendingAttaches(record: ContainerRecord): void {
    const set = this.pendingAttaches.get(record.id);
    if (!set) return;
    this.pendingAttaches.delete(record.id);
    for (const pending of set) {
      pipeAttach(this.deps.monitor.attachSocket(record.id), pending.client, { ...pending.opts, tty: !!record.config.Tty })
        .catch(() => ({ detached: false }))
        .then((result) => {
          pending.client.close();
          pending.done(result);
        });
    }
  }

  private cancelPendingAttaches(id: string): void {
    const set = this.pendingAttaches.get(id);
    this.pendingAttaches.delete(id);
    for (const pending of set ?? []) {
      pending.client.close();
      pending.done({ detached: false });
    }
  }

  async logs(ref: string, opts: Omit<LogOptions, 'tty'>, out: NodeJS.WritableStream, cancelled: () => boolean): Promise<void> {
    const record = this.store.get(ref);
    const type = record.hostConfig.LogConfig?.Type;
    if (type === 'none') {
      throw badParameter('configured logging driver does not support reading');
    }
    await streamLogs(
      this.logPath(record.id),
      logSettings(record).maxFiles,
      { ...opts, tty: !!record.config.Tty },
      out,
      () => !!this.store.find(record.id)?.state.Running,
      cancelled,
    );
  }

  resize(ref: string, height: number, width: number): Promise<void> {
    const record = this.store.get(ref);
    if (!record.state.Running) throw conflict(`Container ${record.id} is not running`);
    return writeControl(this.bundleDir(record.id), `1 ${height} ${width}\n`);
  }

  /**
   * Runs fn on the container's root filesystem, as dockerd's archive operations do: under the
   * container's lock (a start, an exit or a removal waits), the overlay mounted for the while
   * when the container is not running, and a running container frozen, so that none of its
   * processes can swap a directory for a symlink between the resolution of a path and its use.
   */
  withRootfs<T>(ref: string, fn: (record: ContainerRecord, rootfs: string) => Promise<T>): Promise<T> {
    const { id } = this.store.get(ref);
    return this.withLock(id, async () => {
      const record = this.store.get(ref);
      const rootfs = this.rootfs(id);
      const running = record.state.Running;
      const freeze = running && !record.state.Paused;
      if (!running) {
        const image = await this.deps.images.resolve(record.image);
        await rootfs.prepare();
        await rootfs.mount(image.layerDirs);
      }
      try {
        if (freeze) await this.deps.runtime.pause(id);
        try {
          return await fn(record, rootfs.merged);
        } finally {
          if (freeze) await this.deps.runtime.resume(id);
        }
      } finally {
        if (!running) await rootfs.unmount();
      }
    });
  }

  // ---- helpers ----------------------------------------------------------------------

  bundleDir(id: string): string {
    return path.join(this.deps.execRoot, 'containers', id);
  }

  rootfs(id: string): ContainerRootfs {
    return new ContainerRootfs(path.join(this.store.dir(id), 'rootfs'));
  }

  logPath(id: string): string {
    return path.join(this.store.dir(id), `${id}-json.log`);
  }

  /** Bytes the container wrote to its own layer (inspect/ps --size). */
  upperSize(id: string): Promise<number> {
    return directorySize(this.rootfs(id).upper).catch(() => 0);
  }

  eventAttributes(record: ContainerRecord): Record<string, string> {
    return { ...(record.config.Labels ?? {}), image: record.imageRef, name: record.name.slice(1) };
  }

  /** Serialises state changes of one container (start against exit against remove). */
  private withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return next;
  }
}

/** Docker creates a missing working directory, owned by the container's user. */
async function ensureWorkingDir(rootfs: string, dir: string, user: { uid: number; gid: number }): Promise<void> {
  const hostPath = await resolveInRoot(rootfs, dir);
  const stat = await fs.stat(hostPath).catch(() => undefined);
  if (stat?.isDirectory()) return;
  if (stat) throw new Error(`Cannot mkdir: ${dir} is not a directory`);
  const created = await fs.mkdir(hostPath, { recursive: true, mode: 0o755 });
  if (created) await fs.chown(hostPath, user.uid, user.gid);
}

function consoleSize(size: [number, number] | null | undefined): { height: number; width: number } | undefined {
  return size && size[0] && size[1] ? { height: size[0], width: size[1] } : undefined;
}

function validateHostConfig(hostConfig: HostConfig): void {
  hostConfig.ExtraHosts?.forEach(validateExtraHost);
  const policy = hostConfig.RestartPolicy?.Name ?? '';
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(policy)) {
    throw badParameter(`invalid restart policy '${policy}'`);
  }
  if (policy && policy !== 'no' && hostConfig.AutoRemove) {
    throw badParameter('can\'t create \'AutoRemove\' container with restart policy');
  }
}

function isAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
