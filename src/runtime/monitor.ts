import { spawn, type ChildProcess } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { findBinary, runtimeErrorMessage, type OciRuntime } from './oci-runtime.js';

/**
 * Drives conmon, the per-container monitor that outlives berthd: it runs the OCI
 * runtime, holds the container's stdio (or pty), writes the log file, serves the
 * attach socket and writes `<exitDir>/<id>` with the exit code when the process ends.
 */
export class Monitor {
  readonly conmon: string;

  constructor(
    private readonly runtime: OciRuntime,
    readonly socketDir: string,
    readonly exitDir: string,
  ) {
    const conmon = findBinary('conmon', ['/usr/bin/conmon', '/usr/libexec/podman/conmon', '/usr/local/bin/conmon']);
    if (!conmon) throw new Error('conmon not found: install Debian package conmon');
    this.conmon = conmon;
  }

  attachSocket(id: string): string {
    return path.join(this.socketDir, id, 'attach');
  }

  exitFile(id: string): string {
    return path.join(this.exitDir, id);
  }

  /** Creates the container (`runtime create` under a new conmon); resolves with its pid. */
  async create(opts: {
    id: string;
    bundle: string;
    logPath: string;
    logSizeMax?: number;
    stdin: boolean;
    terminal: boolean;
    leaveStdinOpen: boolean;
  }): Promise<{ pid: number; monitorPid: number }> {
    const pidFile = path.join(opts.bundle, 'pid');
    const monitorPidFile = path.join(opts.bundle, 'conmon.pid');
    const args = [
      ...this.commonArgs(opts.id, opts.id, opts.bundle, pidFile),
      '-P', monitorPidFile,
      '-l', `k8s-file:${opts.logPath}`,
      '--exit-dir', this.exitDir,
      '-n', opts.id,
    ];
    if (opts.logSizeMax) args.push('--log-size-max', String(opts.logSizeMax));
    if (opts.stdin) args.push('-i');
    if (opts.terminal) args.push('-t');
    if (opts.leaveStdinOpen) args.push('--leave-stdin-open');
    const child = this.spawn(args, 1);
    const pid = await readSyncMessage(child.sync);
    child.sync.destroy();
    const monitorPid = Number(await fs.readFile(monitorPidFile, 'utf8'));
    return { pid, monitorPid };
  }

  /**
   * Runs a process in a running container through its own conmon. When `attach` is
   * given it is called once the exec's attach socket is ready, and the process
   * starts only after it resolves, so no output is lost.
   */
  async exec(opts: {
    containerId: string;
    execId: string;
    dir: string;
    processSpecPath: string;
    terminal: boolean;
    stdin: boolean;
    attach?: (socketPath: string) => Promise<void>;
  }): Promise<{ pid: number; exitCode: Promise<number> }> {
    const args = [
      ...this.commonArgs(opts.containerId, opts.execId, opts.dir, path.join(opts.dir, 'pid')),
      '-l', 'none',
      '--exit-dir', opts.dir,
      '-e',
      '--exec-process-spec', opts.processSpecPath,
    ];
    if (opts.terminal) args.push('-t');
    if (opts.stdin) args.push('-i');
    if (opts.attach) args.push('--exec-attach');
    const child = this.spawn(args, opts.attach ? 3 : 1);
    if (opts.attach) {
      const [start, attachReady] = [child.extra[0] as Writable, child.extra[1] as Readable];
      // conmon waits for a first start message before it sets up, a second before it execs.
      start.write('0');
      await readSyncMessage(attachReady);
      await opts.attach(this.attachSocket(opts.execId));
      start.end('0');
    }
    const pid = await readSyncMessage(child.sync);
    const exitCode = readSyncMessage(child.sync, true).finally(() => child.sync.destroy());
    return { pid, exitCode };
  }

  private commonArgs(containerId: string, monitorId: string, bundle: string, pidFile: string): string[] {
    return [
      '--api-version', '1',
      '-c', containerId,
      '-u', monitorId,
      '-r', this.runtime.binary,
      ...this.runtime.globalArgs.flatMap((a) => ['--runtime-arg', a]),
      '-b', bundle,
      '-p', pidFile,
      '--socket-dir-path', this.socketDir,
      '--no-sync-log',
    ];
  }

  /**
   * Starts conmon with the sync pipe as fd 3 (and, for attached execs, the start and
   * attach pipes as fds 4 and 5). conmon double-forks and setsid()s, so it is not
   * berthd's child for long and survives berthd's death.
   */
  private spawn(args: string[], pipes: number): { sync: Readable; extra: (Readable | Writable)[]; process: ChildProcess } {
    const env: NodeJS.ProcessEnv = { ...process.env, _OCI_SYNCPIPE: '3' };
    if (pipes === 3) Object.assign(env, { _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' });
    const child = spawn(this.conmon, args, {
      stdio: ['ignore', 'ignore', 'pipe', ...Array<'pipe'>(pipes).fill('pipe')],
      env,
      detached: true,
    });
    child.unref();
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const sync = child.stdio[3] as Readable;
    child.on('exit', (code) => {
      if (code) sync.emit('monitor-error', new Error(`conmon failed: ${stderr.trim() || `exit status ${code}`}`));
    });
    return { sync, extra: child.stdio.slice(4) as (Readable | Writable)[], process: child };
  }
}

/**
 * Reads one `{"data": N, "message": "..."}` line from a conmon pipe. A negative N
 * with a message is the runtime's error. With allowNegative (an exec's exit code),
 * N is returned as is.
 */
function readSyncMessage(stream: Readable, allowNegative = false): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = (stream as Readable & { syncBuffer?: string }).syncBuffer ?? '';
    const finish = (fn: () => void) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('monitor-error', onError);
      stream.pause();
      fn();
    };
    const tryParse = () => {
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      const line = buffered.slice(0, nl);
      (stream as Readable & { syncBuffer?: string }).syncBuffer = buffered.slice(nl + 1);
      const msg = JSON.parse(line) as { data: number; message?: string };
      if (msg.data < 0 && msg.message) finish(() => reject(new Error(runtimeErrorMessage(msg.message ?? ''))));
      else if (msg.data < 0 && !allowNegative) finish(() => reject(new Error('container create failed')));
      else finish(() => resolve(msg.data));
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      tryParse();
    };
    const onEnd = () => finish(() => reject(new Error('conmon exited without reporting the container')));
    const onError = (err: Error) => finish(() => reject(err));
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('monitor-error', onError);
    stream.resume();
    tryParse();
  });
}

/**
 * Writes a message to conmon's control FIFO in a container's bundle: `1 <h> <w>`
 * resizes the terminal, `2 0 0` reopens the log file. Non-blocking: a FIFO whose
 * conmon is gone fails at once instead of hanging.
 */
export async function writeControl(bundle: string, message: string): Promise<void> {
  const handle = await fs.open(path.join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await handle.write(message);
  } finally {
    await handle.close();
  }
}
