import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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

  start(id: string): Promise<string> {
    return this.call(['start', id]);
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
