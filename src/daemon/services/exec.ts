import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ExecCreateRequest, ExecInspect } from '../../api/types.js';
import { badParameter, conflict, errorMessage, noSuchExec, serverError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import { writeControl, type Monitor } from '../../runtime/monitor.js';
import { replaceOrAppendEnv, type OciProcess, type OciSpec } from '../../runtime/oci-spec.js';
import { resolveUser } from '../../runtime/user.js';
import { DEFAULT_DETACH_KEYS, frame, parseDetachKeys, pipeAttach, type ClientStream } from './attach.js';
import type { ContainerService } from './containers.js';
import type { EventService } from './events.js';

/** How long an ended exec stays inspectable. */
const FINISHED_SESSION_TTL_MS = 5 * 60_000;

interface ExecSession {
  id: string;
  containerId: string;
  config: ExecCreateRequest;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
}

/** Processes run in running containers (`docker exec`), each under its own conmon. */
export class ExecService {
  private readonly sessions = new Map<string, ExecSession>();

  constructor(
    private readonly deps: { execRoot: string; containers: ContainerService; monitor: Monitor; events: EventService },
  ) {}

  create(containerRef: string, config: ExecCreateRequest): string {
    const record = this.deps.containers.store.get(containerRef);
    if (!Array.isArray(config?.Cmd) || config.Cmd.length === 0) throw badParameter('No exec command specified');
    if (!record.state.Running) throw conflict(`Container ${record.id} is not running`);
    if (record.state.Paused) throw conflict(`Container ${record.id} is paused, unpause the container before exec`);
    if (config.DetachKeys) parseDetachKeys(config.DetachKeys);
    const id = newId();
    this.sessions.set(id, { id, containerId: record.id, config, running: false, exitCode: null, pid: 0, started: false });
    this.deps.events.emit('container', `exec_create: ${config.Cmd.join(' ')}`, record.id, {
      ...this.deps.containers.eventAttributes(record),
      execID: id,
    });
    return id;
  }

  get(id: string): ExecSession {
    const session = this.sessions.get(id);
    if (!session) throw noSuchExec(id);
    return session;
  }

  /** A container's ExecIDs: as dockerd, the execs not yet ended (ended ones stay inspectable). */
  idsOf(containerId: string): string[] {
    return [...this.sessions.values()].filter((s) => s.containerId === containerId && s.exitCode === null).map((s) => s.id);
  }

  inspect(id: string): ExecInspect {
    const s = this.get(id);
    return {
      CanRemove: false,
      DetachKeys: s.config.DetachKeys ?? '',
      ID: s.id,
      Running: s.running,
      ExitCode: s.exitCode,
      ProcessConfig: {
        privileged: !!s.config.Privileged,
        user: s.config.User ?? '',
        tty: !!s.config.Tty,
        entrypoint: s.config.Cmd[0],
        arguments: s.config.Cmd.slice(1),
      },
      OpenStdin: !!s.config.AttachStdin,
      OpenStderr: !!s.config.AttachStderr,
      OpenStdout: !!s.config.AttachStdout,
      ContainerID: s.containerId,
      Pid: s.pid,
    };
  }

  /**
   * Starts the process. With a client, streams its I/O and resolves when it has
   * exited (so the client can read ExitCode right after); detached, resolves once
   * it runs.
   */
  async start(id: string, opts: { detach: boolean; tty?: boolean }, openClient?: () => ClientStream): Promise<void> {
    const session = this.get(id);
    if (session.started) throw conflict(`Error: Exec command ${id} has already run`);
    const record = this.deps.containers.store.get(session.containerId);
    if (!record.state.Running) throw conflict(`Container ${record.id} is not running`);
    session.started = true;
    const tty = opts.tty ?? !!session.config.Tty;
    const dir = path.join(this.deps.execRoot, 'exec', id);
    await fs.mkdir(dir, { recursive: true });
    const processSpecPath = path.join(dir, 'process.json');
    let processSpec: OciProcess;
    try {
      processSpec = await this.processSpec(record.id, session, tty);
    } catch (err) {
      // As dockerd: berthd's own errors (an unknown user) reach an attached client in-band, on
      // stdout, after the upgrade; the exit code is 126.
      session.exitCode = 126;
      await fs.rm(dir, { recursive: true, force: true });
      if (opts.detach || !openClient) throw err;
      const client = openClient();
      const text = Buffer.from(`${errorMessage(err)}\r\n`);
      client.output.write(tty ? text : frame(1, text));
      client.close();
      return;
    }
    await fs.writeFile(processSpecPath, JSON.stringify(processSpec));
    let stream: Promise<unknown> | undefined;
    let client: ClientStream | undefined;
    const attachStdin = !!session.config.AttachStdin;
    try {
      const { pid, exitCode } = await this.deps.monitor.exec({
        containerId: record.id,
        execId: id,
        dir,
        processSpecPath,
        terminal: tty,
        stdin: attachStdin && !opts.detach,
        attach:
          opts.detach || !openClient
            ? undefined
            : async (socketPath) => {
                client = openClient();
                stream = pipeAttach(socketPath, client, {
                  stdin: attachStdin,
                  stdout: session.config.AttachStdout ?? true,
                  stderr: session.config.AttachStderr ?? true,
                  tty,
                  detachKeys: parseDetachKeys(session.config.DetachKeys ?? DEFAULT_DETACH_KEYS),
                });
              },
      });
      session.pid = pid;
      session.running = true;
      this.deps.events.emit('container', `exec_start: ${session.config.Cmd.join(' ')}`, record.id, {
        ...this.deps.containers.eventAttributes(record),
        execID: id,
      });
      const finished = exitCode.then(
        (code) => this.finish(session, code, dir),
        () => this.finish(session, 126, dir),
      );
      if (stream) {
        await stream;
        // conmon closes the stream before it reports the exit code; wait a moment for it.
        await Promise.race([finished, new Promise((r) => setTimeout(r, 2000))]);
      }
    } catch (err) {
      session.running = false;
      session.exitCode = 126;
      await fs.rm(dir, { recursive: true, force: true });
      const message = errorMessage(err);
      if (client) {
        // As dockerd: on the stdout stream, framed unless the exec has a TTY.
        const text = Buffer.from(`OCI runtime exec failed: ${message}: unknown\r\n`);
        client.output.write(tty ? text : frame(1, text));
        return;
      }
      throw serverError(`OCI runtime exec failed: ${message}: unknown`);
    } finally {
      client?.close();
    }
  }

  private async finish(session: ExecSession, code: number, dir: string): Promise<void> {
    session.running = false;
    session.exitCode = code;
    // Clients read the exit code right after the stream ends; then the session can go,
    // so a long-lived container with many execs does not grow berthd's memory.
    setTimeout(() => this.sessions.delete(session.id), FINISHED_SESSION_TTL_MS).unref();
    await fs.rm(dir, { recursive: true, force: true });
    const record = this.deps.containers.store.find(session.containerId);
    if (record) {
      this.deps.events.emit('container', 'exec_die', record.id, {
        ...this.deps.containers.eventAttributes(record),
        execID: session.id,
        exitCode: String(code),
      });
    }
  }

  resize(id: string, height: number, width: number): Promise<void> {
    const session = this.get(id);
    if (!session.running) throw conflict(`Exec ${id} is not running`);
    return writeControl(path.join(this.deps.execRoot, 'exec', id), `1 ${height} ${width}\n`);
  }

  /** The container's own process spec with the exec's command, environment, user and cwd. */
  private async processSpec(containerId: string, session: ExecSession, tty: boolean): Promise<OciProcess> {
    const bundle = this.deps.containers.bundleDir(containerId);
    const spec = JSON.parse(await fs.readFile(path.join(bundle, 'config.json'), 'utf8')) as OciSpec;
    const env = replaceOrAppendEnv(spec.process.env, session.config.Env ?? []);
    if (tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    const process: OciProcess = {
      ...spec.process,
      terminal: tty,
      args: session.config.Cmd,
      env,
      cwd: session.config.WorkingDir || spec.process.cwd,
    };
    delete process.consoleSize;
    if (session.config.User) {
      const user = await resolveUser(spec.root.path, session.config.User);
      process.user = { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids };
    }
    if (session.config.ConsoleSize?.[0]) process.consoleSize = { height: session.config.ConsoleSize[0], width: session.config.ConsoleSize[1] };
    return process;
  }

  /** Forgets the sessions of a removed container. */
  forgetContainer(containerId: string): void {
    for (const [id, s] of this.sessions) if (s.containerId === containerId) this.sessions.delete(id);
  }
}
