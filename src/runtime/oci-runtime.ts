import { execFile } from 'node:child_process';
import { constants, existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type RuntimeName = 'runc' | 'crun';

/**
 * The OCI runtime's command line (runc or crun: same verbs). Every call names the
 * runtime's state root, so berth's containers never mix with another engine's.
 */
export class OciRuntime {
  constructor(
    readonly name: RuntimeName,
    readonly binary: string,
    readonly stateRoot: string,
  ) {}

  get globalArgs(): string[] {
    return [`--root=${this.stateRoot}`];
  }

  private async call(args: string[]): Promise<string> {
    try {
      const { stdout } = await run(this.binary, [...this.globalArgs, ...args], { maxBuffer: 16 << 20 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(runtimeErrorMessage(e.stderr || e.message));
    }
  }

  /**
   * Starts a created container. For runc this does what `runc start` does, without
   * its process spawn (~8 ms of every `docker run`): runc's init waits, blocked in
   * opening `<root>/<id>/exec.fifo` for writing, to write "0" and exec the user's
   * process; reading that "0" releases it, and removing the FIFO marks the container
   * running for runc's other commands. Other runtimes go through their CLI.
   */
  async start(id: string): Promise<void> {
    const fifo = path.join(this.stateRoot, id, 'exec.fifo');
    if (this.name !== 'runc' || !existsSync(fifo)) {
      await this.call(['start', id]);
      return;
    }
    // Non-blocking, so a dead init cannot hang a thread of Node's pool in open().
    const handle = await fs.open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buffer = Buffer.alloc(16);
      for (const deadline = Date.now() + 10_000; ; ) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'EAGAIN') return { bytesRead: 0 };
          throw err;
        });
        if (bytesRead > 0) {
          if (buffer.toString('utf8', 0, bytesRead) !== '0') throw new Error(`unexpected data in ${fifo}`);
          break;
        }
        // Nothing yet: the init has not opened its end, or not written.
        if (Date.now() > deadline) throw new Error('container process is already dead');
        await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      await handle.close();
    }
    await fs.rm(fifo, { force: true });
  }

  kill(id: string, signal: string, all = false): Promise<string> {
    return this.call(['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  pause(id: string): Promise<string> {
    return this.call(['pause', id]);
  }

  resume(id: string): Promise<string> {
    return this.call(['resume', id]);
  }

  async delete(id: string, force = false): Promise<void> {
    try {
      await this.call(['delete', ...(force ? ['--force'] : []), id]);
    } catch (err) {
      if (!/does not exist|not exist|No such file/i.test((err as Error).message)) throw err;
    }
  }

  /** The runtime's view of the container, or undefined when it does not know it. */
  async state(id: string): Promise<{ status: string; pid: number } | undefined> {
    try {
      return JSON.parse(await this.call(['state', id])) as { status: string; pid: number };
    } catch {
      return undefined;
    }
  }

  async ps(id: string): Promise<number[]> {
    return JSON.parse((await this.call(['ps', '--format', 'json', id])) || '[]') as number[];
  }
}

/** runc logs `time=... level=error msg="..."`; the message is what users need. */
export function runtimeErrorMessage(stderr: string): string {
  const messages = [...stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  return (messages.length ? messages.join(': ') : stderr).trim();
}

const CANDIDATES: Record<RuntimeName, string[]> = {
  runc: ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/bin/runc', '/usr/local/sbin/runc'],
  crun: ['/usr/bin/crun', '/usr/local/bin/crun'],
};

export function findBinary(name: string, candidates: string[] = CANDIDATES[name as RuntimeName] ?? []): string | undefined {
  const fromPath = (process.env.PATH ?? '').split(':').map((dir) => `${dir}/${name}`);
  return [...candidates, ...fromPath].find((p) => existsSync(p));
}

/**
 * crun starts containers faster than runc, but crun 1.8 refuses hybrid cgroup v1/v2
 * hosts; pick it only on a pure cgroup v2 host.
 */
export function chooseRuntime(requested?: RuntimeName): RuntimeName {
  if (requested) return requested;
  const pureV2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  return pureV2 && findBinary('crun') ? 'crun' : 'runc';
}
