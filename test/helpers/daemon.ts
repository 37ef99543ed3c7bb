// Starts a berthd of its own for one test file (temporary data root, exec root and
// socket) and tears everything down afterwards: containers, monitors, mounts, cgroups.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BERTH = path.join(ROOT, 'bin/berth');
const BERTHD = path.join(ROOT, 'bin/berthd');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TestDaemon {
  readonly dir: string;
  readonly socket: string;
  readonly host: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  /** The default bridge and address space of this daemon: its own, so test files can run side by side. */
  readonly bridge: string;
  readonly subnetPrefix: string;
  private process?: ChildProcess;
  private killedOnPurpose = false;

  constructor() {
    this.dir = mkdtempSync('/tmp/berth-test-');
    this.socket = path.join(this.dir, 'berth.sock');
    this.host = `unix://${this.socket}`;
    this.dataRoot = path.join(this.dir, 'data');
    this.execRoot = path.join(this.dir, 'exec');
    this.bridge = `bt${randomBytes(4).toString('hex')}`;
    this.subnetPrefix = claimTestPrefix();
  }

  /** berthd's network flags for this daemon: 10.N.0.0/24 for the default bridge, 10.N.128.0/17 for user networks. */
  get networkArgs(): string[] {
    return ['--bridge', this.bridge, '--bip', `${this.subnetPrefix}.0.1/24`, '--default-address-pool', `base=${this.subnetPrefix}.128.0/17,size=24`];
  }

  async start(): Promise<void> {
    // A log file, not a pipe: tests block their event loop in spawnSync, and a full
    // pipe would then stall berthd.
    this.killedOnPurpose = false;
    const logFd = openSync(this.logFile, 'a');
    this.process = spawn(process.execPath, [BERTHD, '-H', this.host, '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--log-level', 'debug', ...this.networkArgs], {
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    this.process.once('exit', (code, signal) => {
      // berthd died under the tests: its last words go to the test output before the files go.
      if (!this.killedOnPurpose) process.stderr.write(`berthd exited unexpectedly (${signal ?? code}); its log ends:\n${this.output.split('\n').slice(-40).join('\n')}\n`);
    });
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`berthd exited: ${this.output}`);
      if (await this.ping()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`berthd did not answer: ${this.output}`);
  }

  get pid(): number {
    return this.process?.pid ?? 0;
  }

  get logFile(): string {
    return path.join(this.dir, 'berthd.log');
  }

  get output(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** SIGKILL, as a crash would (containers must survive it). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    this.killedOnPurpose = true;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }

  ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.request({ socketPath: this.socket, path: '/_ping', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  /** One API call; the body parsed as JSON when it is JSON. */
  api(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; raw: Buffer }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const req = http.request(
        { socketPath: this.socket, path: urlPath, method, headers: { 'Content-Type': 'application/json', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            let parsed: unknown = raw.toString();
            try {
              parsed = JSON.parse(raw.toString());
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, raw });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Runs the berth CLI against this daemon. */
  berth(args: string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult {
    return runCommand(process.execPath, [BERTH, '-H', this.host, ...args], {}, opts);
  }

  /** Runs the real docker CLI against this daemon. */
  docker(args: string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult {
    return runCommand('docker', args, { DOCKER_HOST: this.host }, opts);
  }

  /** The docker CLI's trimmed stdout; a failure fails the test. */
  dockerOk(args: string[]): string {
    return succeeded('docker', args, this.docker(args));
  }

  /** The berth CLI's trimmed stdout; a failure fails the test. */
  berthOk(args: string[]): string {
    return succeeded('berth', args, this.berth(args));
  }

  async makeBusybox(): Promise<void> {
    const r = runCommand('bash', [path.join(ROOT, 'scripts/make-busybox-image.sh'), this.host], {}, {});
    if (r.code !== 0) throw new Error(`make-busybox-image failed: ${r.stderr}${r.stdout}`);
  }

  /** Removes every container (ending their monitors), stops berthd, unmounts and deletes its files. */
  async stop(): Promise<void> {
    try {
      if (this.process && this.process.exitCode === null) {
        const list = await this.api('GET', '/containers/json?all=1').catch(() => undefined);
        for (const c of (list?.body as { Id: string }[]) ?? []) {
          await this.api('DELETE', `/containers/${c.Id}?force=1`).catch(() => undefined);
        }
      }
    } finally {
      await this.kill('SIGTERM');
      this.cleanupLeftovers();
    }
  }

  /** Whatever a failed test left: monitors and container processes, mounts, cgroups, files. */
  private cleanupLeftovers(): void {
    const runtimeRoot = path.join(this.execRoot, 'runtime', 'runc');
    if (existsSync(runtimeRoot)) {
      for (const id of readdirSync(runtimeRoot)) {
        spawnSync('runc', [`--root=${runtimeRoot}`, 'delete', '--force', id]);
      }
    }
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m) => m && m.startsWith(this.dir))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    // The daemon's bridges and their nftables tables (veths went with the namespaces).
    const networksDir = path.join(this.dataRoot, 'network', 'networks');
    const bridges = new Set([this.bridge]);
    for (const file of existsSync(networksDir) ? readdirSync(networksDir) : []) {
      const bridge = (JSON.parse(readFileSync(path.join(networksDir, file), 'utf8')) as { bridge?: string }).bridge;
      if (bridge) bridges.add(bridge);
    }
    for (const bridge of bridges) {
      spawnSync('nft', ['delete', 'table', 'ip', `berth-${bridge}`]);
      if (existsSync(`/sys/class/net/${bridge}`)) spawnSync('ip', ['link', 'del', bridge]);
    }
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(prefixClaimFile(this.subnetPrefix), { force: true });
    for (const controller of readdirSync('/sys/fs/cgroup', { withFileTypes: true })) {
      const berth = path.join('/sys/fs/cgroup', controller.name, 'berth');
      try {
        rmdirSync(berth);
      } catch {
        /* in use by another daemon's containers, or absent */
      }
    }
  }
}

/**
 * A 10.N prefix no host route uses and no other live test daemon holds: a claim file
 * per prefix (created exclusively, holding the claimer's pid) keeps concurrent test
 * files apart; a claim whose process is gone is taken over.
 */
function claimTestPrefix(): string {
  const routes = readFileSync('/proc/net/route', 'utf8').split('\n');
  for (;;) {
    const n = 100 + Math.floor(Math.random() * 150);
    // /proc/net/route holds destinations little-endian: 10.N.x.x ends in …N0A.
    const suffix = `${n.toString(16).toUpperCase().padStart(2, '0')}0A`;
    if (routes.some((line) => line.split('\t')[1]?.endsWith(suffix))) continue;
    const claim = prefixClaimFile(`10.${n}`);
    try {
      writeFileSync(claim, String(process.pid), { flag: 'wx' });
      return `10.${n}`;
    } catch {
      const owner = Number(readFileSync(claim, 'utf8') || 0);
      if (owner && existsSync(`/proc/${owner}`)) continue;
      writeFileSync(claim, String(process.pid));
      return `10.${n}`;
    }
  }
}

function prefixClaimFile(prefix: string): string {
  return `/tmp/berth-test-net-${prefix}.claim`;
}

function succeeded(cli: string, args: string[], r: RunResult): string {
  assert.equal(r.code, 0, `${cli} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
  opts: { input?: string; timeoutMs?: number },
): RunResult {
  const r = spawnSync(command, args, {
    env: { ...process.env, ...env },
    input: opts.input ?? '',
    timeout: opts.timeoutMs ?? 60000,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Starts a daemon with the busybox image, for a test file's `before`. */
export async function startDaemonWithBusybox(): Promise<TestDaemon> {
  const daemon = new TestDaemon();
  try {
    await daemon.start();
    await daemon.makeBusybox();
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return daemon;
}
