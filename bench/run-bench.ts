// berth's start-up and footprint benchmark, in one run: `docker run --rm busybox true`
// through the docker CLI against berthd, a private dockerd (when installed) and the bare
// runtime floor (overlay mount + `runc run` + umount, no engine), on the default bridge
// and with `--network none`; publishing and releasing 100 ports; `docker ps` with 50
// running containers; berthd's idle RSS and the per-container monitor's RSS (conmon
// against containerd-shim). Prints medians, p90s, ratios and the goals met or not.
//
//   npm run build && node dist/bench/run-bench.js [--runs 20] [--warmup 3] [--containers 50]
//                                                 [--no-dockerd] [--breakdown 10] [--port-runs 5]
//
// The private dockerd gets a Linux bridge of the bench's own (brbenchN, a 10.x /24 no host
// route uses) with `--iptables=false --ip-masq=false --ip-forward=false`: it never touches
// the host's firewall or sysctls, and keeps its userland proxy (one docker-proxy per
// published port). berthd gets its own --bridge/--bip (test/helpers/daemon.ts).
//
// --breakdown K (default 10, 0 to skip): afterwards, K more `docker run --rm busybox true`
// on berthd's default bridge under the kernel's tracepoints (ftrace: fork/exec/exit, mount,
// umount, rename, rmdir of berthd and its children; no slowdown), and the median of each
// phase: create, start request, the network (netns, `ip` on the host, `nsenter … ip`
// inside) beside the overlay mount, spec, conmon + runc create, the exec FIFO hand-off,
// exit detection, network detach, unmount, removal (and runc delete, off the path).
//
// --port-runs N (default 5, 0 to skip): `docker run -d -p L-H:L-H` (100 ports) against a
// plain `run -d`, and `rm -f` of each, on each daemon; dockerd's docker-proxy processes
// and each engine's RSS and fds while the ports are published.
//
// Everything it starts it ends by PID, everything it mounts it unmounts, and its
// temporary directories, cgroups and bridge go, on success, on failure and on SIGINT/SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../src/kernel/native.js';
import { buildOciSpec, containerEnv, type OciSpecInput } from '../src/runtime/oci-spec.js';
import { resolveUser } from '../src/runtime/user.js';
import { chainIds } from '../src/store/layer-store.js';
import { TestDaemon } from '../test/helpers/daemon.js';

// ---- options ------------------------------------------------------------------------

interface Options {
  runs: number;
  warmup: number;
  containers: number;
  dockerd: boolean;
  breakdown: number;
  portRuns: number;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { runs: 20, warmup: 3, containers: 50, dockerd: true, breakdown: 10, portRuns: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a whole number`);
      return v;
    };
    if (a === '--runs') opts.runs = Math.max(1, num());
    else if (a === '--warmup') opts.warmup = num();
    else if (a === '--containers') opts.containers = Math.max(1, num());
    else if (a === '--no-dockerd') opts.dockerd = false;
    else if (a === '--breakdown') opts.breakdown = num();
    else if (a === '--port-runs') opts.portRuns = num();
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node dist/bench/run-bench.js [--runs N] [--warmup N] [--containers N] [--no-dockerd] [--breakdown K] [--port-runs N]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

const DOCKER = '/usr/local/bin/docker';
const DOCKERD = '/usr/sbin/dockerd';
const RUNC = '/usr/sbin/runc';
const MiB = 1024 * 1024;

// ---- timing and statistics -------------------------------------------------------------

interface Stats {
  median: number;
  p90: number;
  min: number;
  n: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, p90: s[Math.max(0, Math.ceil(0.9 * n) - 1)], min: s[0], n };
}

function median(values: number[]): number {
  return stats(values).median;
}

/** Milliseconds of one command; throws with its output when it fails. */
function timed(command: string, args: string[], env: Record<string, string> = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return ms;
}

/** Milliseconds and stdout of one command; throws with its output when it fails. */
function timedOutput(command: string, args: string[], env: Record<string, string> = {}): { ms: number; out: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return { ms, out: r.stdout };
}

function run(command: string, args: string[], env: Record<string, string> = {}, input?: string): string {
  const r = spawnSync(command, args, { env: { ...process.env, ...env }, input: input ?? '', encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function docker(host: string, args: string[]): string {
  return run(DOCKER, args, { DOCKER_HOST: host });
}

/**
 * Runs each scenario warmup + runs times, interleaved (round i runs every scenario once,
 * starting with a different one each round) so that drift in the machine's load falls
 * on all of them alike. A short pause between commands lets background teardown settle.
 */
/**
 * The build benchmark's context (issue 3): FROM busybox, ENV, WORKDIR, 5 RUN steps, one COPY
 * and CMD. Returns its directory.
 */
function makeBuildContext(): string {
  const dir = mkdtempSync('/tmp/bench-build-');
  const runs = Array.from({ length: 5 }, (_, i) => `RUN echo step${i} > /app/step${i}`).join('\n');
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM busybox\nENV APP_ENV=bench\nWORKDIR /app\n${runs}\nCOPY data.txt /app/\nCMD ["cat", "/app/data.txt"]\n`);
  writeFileSync(path.join(dir, 'data.txt'), 'payload\n'.repeat(100));
  return dir;
}

function measureInterleaved(scenarios: { name: string; fn: () => number }[], warmup: number, runs: number): Map<string, number[]> {
  const samples = new Map(scenarios.map((s) => [s.name, [] as number[]]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < scenarios.length; k++) {
      const s = scenarios[(round + k) % scenarios.length];
      const ms = s.fn();
      if (round >= warmup) samples.get(s.name)?.push(ms);
      sleepSync(20);
    }
  }
  return samples;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- /proc --------------------------------------------------------------------------------

/** VmRSS (or another field of /proc/<pid>/status) in bytes; 0 when the process is gone. */
function statusBytes(pid: number, field = 'VmRSS'): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size: RSS with shared pages divided among their sharers. */
function pssBytes(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Open file descriptors of a process (0 when it is gone). */
function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

function parentPid(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to one PID; one that is gone already is no error. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** Unmounts everything under dir, deepest first (lazily when busy). */
function unmountUnder(dir: string): void {
  for (let pass = 0; pass < 3; pass++) {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
      .filter((m) => m === dir || m.startsWith(dir + '/'))
      .sort((a, b) => b.length - a.length);
    if (!mounts.length) return;
    for (const m of mounts) {
      try {
        native.umount(m, false);
      } catch {
        try {
          native.umount(m, true);
        } catch {
          /* gone already */
        }
      }
    }
  }
}

function pingSocket(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: socket, path: '/_ping', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

// ---- cgroups ------------------------------------------------------------------------------

/** The cgroup directories named `name` under every hierarchy (v1 controllers, unified). */
function cgroupDirs(name: string): string[] {
  const out: string[] = [];
  const root = '/sys/fs/cgroup';
  if (existsSync(path.join(root, 'cgroup.controllers'))) return [path.join(root, name)];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(path.join(root, e.name, name));
  }
  return out;
}

/** Removes the (empty) cgroup directories named `name` that did not exist before the benchmark. */
function removeCgroups(name: string, existedBefore: Set<string>): void {
  for (const dir of cgroupDirs(name)) {
    if (existedBefore.has(dir) || !existsSync(dir)) continue;
    // Leaves first (a container's own cgroup that a failure left behind).
    for (const sub of readdirSync(dir, { withFileTypes: true })) {
      if (sub.isDirectory()) {
        try {
          rmdirSync(path.join(dir, sub.name));
        } catch {
          /* in use */
        }
      }
    }
    try {
      rmdirSync(dir);
    } catch {
      /* in use */
    }
  }
}

// ---- a bridge of the bench's own, for dockerd's default network ---------------------------

const ipv4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Whether base/prefix overlaps a route of the host (the default route aside). */
function overlapsHostRoute(base: number, prefix: number): boolean {
  // /proc/net/route holds destination and mask as little-endian hex.
  const be = (hex: string) => {
    const v = parseInt(hex, 16);
    return (((v & 0xff) << 24) | (((v >>> 8) & 0xff) << 16) | (((v >>> 16) & 0xff) << 8) | ((v >>> 24) & 0xff)) >>> 0;
  };
  const ourMask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((f) => f.length > 7)
    .some((f) => {
      const mask = be(f[7]);
      if (mask === 0) return false;
      const common = (mask & ourMask) >>> 0;
      return ((be(f[1]) & common) >>> 0) === ((base & common) >>> 0);
    });
}

/**
 * A Linux bridge for the private dockerd (`--bridge NAME`): brbenchN, the first name not
 * taken, with the gateway address of a 10.N.0.0/24 that no host route uses (N in 50–99,
 * away from the test daemons' 100–249) and that is not berthd's. Removed by stop().
 */
class BenchBridge {
  name = '';
  gatewayCidr = '';
  private created = false;

  create(avoid: string[]): void {
    const name = Array.from({ length: 10 }, (_, i) => `brbench${i}`).find((n) => !existsSync(`/sys/class/net/${n}`));
    if (!name) throw new Error('brbench0–9 all exist: stale bridges of an interrupted bench? (ip link del brbenchN)');
    let second = -1;
    for (let n = 50; n < 100 && second < 0; n++) {
      if (!avoid.includes(`10.${n}`) && !overlapsHostRoute(ipv4(10, n, 0, 0), 24)) second = n;
    }
    if (second < 0) throw new Error('no free 10.N.0.0/24 (N in 50–99) for the bench bridge');
    this.name = name;
    this.gatewayCidr = `10.${second}.0.1/24`;
    this.created = true;
    run('ip', ['-batch', '-'], {}, `link add ${name} type bridge\naddr add ${this.gatewayCidr} dev ${name}\nlink set ${name} up\n`);
  }

  remove(): void {
    if (!this.created) return;
    if (existsSync(`/sys/class/net/${this.name}`)) spawnSync('ip', ['link', 'del', this.name], { stdio: 'ignore' });
    this.created = false;
  }
}

// ---- host ports ---------------------------------------------------------------------------

/** Whether every tcp port in [low, high] can be bound on 0.0.0.0 and on :: (dockerd 20.10 takes both). */
async function portsFree(low: number, high: number): Promise<boolean> {
  const tryListen = (host: string, port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', (err: NodeJS.ErrnoException) => resolve(host === '::' && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')));
      server.listen({ host, port, exclusive: true, ipv6Only: host === '::' }, () => server.close(() => resolve(true)));
    });
  for (let port = low; port <= high; port++) {
    if (!(await tryListen('0.0.0.0', port)) || !(await tryListen('::', port))) return false;
  }
  return true;
}

/** The first range of `count` ports from 20000 up, in steps of 100, that is free now. */
async function freePortRange(count: number): Promise<[number, number]> {
  for (let low = 20000; low + count - 1 < 32768; low += 100) {
    if (await portsFree(low, low + count - 1)) return [low, low + count - 1];
  }
  throw new Error(`no free range of ${count} tcp ports between 20000 and 32767`);
}

async function waitPortsFree(low: number, high: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await portsFree(low, high))) {
    if (Date.now() > deadline) throw new Error(`ports ${low}-${high} still taken ${ms} ms after the container that published them was removed`);
    await sleep(100);
  }
}

// ---- a private dockerd --------------------------------------------------------------------

/**
 * A dockerd of our own: its own data root, exec root, socket and pidfile, the bench's own
 * bridge (or none), no iptables, no masquerading, no ip_forward sysctl, so it touches
 * nothing another dockerd (e.g. /tmp/refdocker) uses, nor the host's firewall. Its
 * userland proxy stays on (dockerd's default): one docker-proxy per published port.
 */
class PrivateDockerd {
  readonly dir: string;
  readonly socket: string;
  readonly host: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  private child?: ChildProcess;
  containerdPid = 0;
  /** docker-proxy processes seen (ended in stop() if dockerd left any behind). */
  private readonly proxiesSeen = new Set<number>();

  /** dockerd's --bridge: the bench's own bridge, or none. */
  bridge = 'none';

  constructor() {
    this.dir = mkdtempSync('/tmp/bench-dockerd-');
    this.socket = path.join(this.dir, 'docker.sock');
    this.host = `unix://${this.socket}`;
    this.dataRoot = path.join(this.dir, 'data');
    this.execRoot = path.join(this.dir, 'exec');
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get logFile(): string {
    return path.join(this.dir, 'dockerd.log');
  }

  async start(): Promise<void> {
    const logFd = openSync(this.logFile, 'a');
    this.child = spawn(
      DOCKERD,
      [
        '--data-root', this.dataRoot,
        '--exec-root', this.execRoot,
        '-H', this.host,
        '--pidfile', path.join(this.dir, 'dockerd.pid'),
        '--bridge', this.bridge,
        '--iptables=false',
        '--ip-masq=false',
        '--ip-forward=false',
        ...(existsSync('/usr/sbin/docker-proxy') ? ['--userland-proxy-path', '/usr/sbin/docker-proxy'] : []),
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`dockerd exited: ${this.tail()}`);
      if (await pingSocket(this.socket)) break;
      await sleep(100);
    }
    if (!(await pingSocket(this.socket))) throw new Error(`dockerd did not answer: ${this.tail()}`);
    // The containerd it started (its child, with a config under our exec root).
    this.containerdPid = allPids().find((p) => parentPid(p) === this.pid && cmdline(p)[0]?.endsWith('containerd')) ?? 0;
  }

  tail(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  }

  /** containerd-shim-runc-v2 processes serving our containerd. */
  shimPids(): number[] {
    const address = path.join(this.execRoot, 'containerd', 'containerd.sock');
    return allPids().filter((p) => {
      const argv = cmdline(p);
      return argv[0]?.includes('containerd-shim') && argv.includes(address);
    });
  }

  /** dockerd's docker-proxy children (its userland proxy: one per published port and address). */
  proxyPids(): number[] {
    const pids = allPids().filter((p) => parentPid(p) === this.pid && cmdline(p)[0]?.endsWith('docker-proxy'));
    for (const p of pids) this.proxiesSeen.add(p);
    return pids;
  }

  /** The PID in dockerd's pidfile, when it is the dockerd we started. */
  private pidFromFile(): number {
    try {
      const pid = Number(readFileSync(path.join(this.dir, 'dockerd.pid'), 'utf8').trim());
      return pid === this.pid ? pid : 0;
    } catch {
      return 0;
    }
  }

  async stop(): Promise<void> {
    try {
      if (this.child && this.child.exitCode === null && (await pingSocket(this.socket))) {
        const ids = spawnSync(DOCKER, ['ps', '-aq'], { env: { ...process.env, DOCKER_HOST: this.host }, encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean) ?? [];
        if (ids.length) spawnSync(DOCKER, ['rm', '-f', ...ids], { env: { ...process.env, DOCKER_HOST: this.host }, timeout: 120_000 });
      }
    } finally {
      const shims = this.shimPids();
      this.proxyPids();
      if (this.child && this.child.exitCode === null) {
        // By the PID of its pidfile (the child we spawned; the child's own when dockerd
        // did not get as far as writing it).
        const pid = this.pidFromFile() || this.pid;
        signal(pid, 'SIGTERM');
        if (!(await waitExit(pid, 20_000))) signal(pid, 'SIGKILL');
        await waitExit(pid, 5_000);
      }
      for (const pid of [this.containerdPid, ...shims, ...this.proxiesSeen]) {
        const argv0 = cmdline(pid)[0] ?? '';
        const ours = pid === this.containerdPid ? argv0.endsWith('containerd') : shims.includes(pid) ? argv0.includes('containerd-shim') : argv0.endsWith('docker-proxy');
        if (pid && isAlive(pid) && ours) {
          signal(pid, 'SIGKILL');
          await waitExit(pid, 5_000);
        }
      }
      unmountUnder(this.dir);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

// ---- the bare floor: runc on an overlay root, no engine ------------------------------------

class RuntimeFloor {
  readonly dir: string;
  readonly bundle: string;
  readonly bundleNoSeccomp: string;
  readonly merged: string;
  readonly runcRoot: string;
  readonly id = 'berth-bench-floor';
  private lowerdir = '';
  private iteration = 0;

  constructor() {
    this.dir = mkdtempSync('/tmp/bench-floor-');
    this.bundle = path.join(this.dir, 'bundle');
    this.bundleNoSeccomp = path.join(this.dir, 'bundle-unconfined');
    this.merged = path.join(this.dir, 'merged');
    this.runcRoot = path.join(this.dir, 'runc');
  }

  /** A bundle whose config.json is what berthd would write for `docker run busybox true`. */
  async prepare(berth: TestDaemon): Promise<void> {
    const inspect = JSON.parse(docker(berth.host, ['image', 'inspect', 'busybox:latest']))[0] as {
      RootFS: { Layers: string[] };
      Config: { Env?: string[] };
    };
    const layerDirs = chainIds(inspect.RootFS.Layers).map((c) => path.join(berth.dataRoot, 'layers', c.replace(/^sha256:/, ''), 'diff'));
    for (const d of layerDirs) if (!existsSync(d)) throw new Error(`layer directory ${d} not found`);
    this.lowerdir = [...layerDirs].reverse().join(':');
    mkdirSync(this.bundle, { recursive: true });
    mkdirSync(this.merged, { recursive: true });
    mkdirSync(this.runcRoot, { recursive: true });
    const hostname = 'bench0floor0';
    const files = { hosts: path.join(this.dir, 'hosts'), hostname: path.join(this.dir, 'hostname'), resolvConf: path.join(this.dir, 'resolv.conf') };
    writeFileSync(files.hosts, '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
    writeFileSync(files.hostname, `${hostname}\n`);
    writeFileSync(files.resolvConf, 'nameserver 8.8.8.8\n');
    const user = await resolveUser(layerDirs[layerDirs.length - 1], '');
    const input: OciSpecInput = {
      args: ['true'],
      env: containerEnv(inspect.Config.Env ?? [], { hostname }),
      cwd: '/',
      user,
      hostname,
      rootfs: this.merged,
      containerFiles: files,
      network: 'private',
      cgroupsPath: `/berth-bench/${this.id}`,
    };
    writeFileSync(path.join(this.bundle, 'config.json'), JSON.stringify(buildOciSpec(input)));
    // The same without the seccomp filter: what libseccomp's compilation of Docker's
    // profile (in runc init, on every start) costs.
    mkdirSync(this.bundleNoSeccomp, { recursive: true });
    writeFileSync(path.join(this.bundleNoSeccomp, 'config.json'), JSON.stringify(buildOciSpec({ ...input, seccomp: 'unconfined' })));
  }

  /** One mount + `runc run` + umount, in milliseconds. */
  runOnce(seccomp = true): number {
    const upper = path.join(this.dir, `upper${this.iteration}`);
    const work = path.join(this.dir, `work${this.iteration}`);
    this.iteration++;
    const t0 = process.hrtime.bigint();
    mkdirSync(upper);
    mkdirSync(work);
    native.mount('overlay', this.merged, 'overlay', 0, `lowerdir=${this.lowerdir},upperdir=${upper},workdir=${work}`);
    let r: ReturnType<typeof spawnSync>;
    try {
      r = spawnSync(RUNC, [`--root=${this.runcRoot}`, 'run', '--bundle', seccomp ? this.bundle : this.bundleNoSeccomp, this.id], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    } finally {
      native.umount(this.merged, false);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    rmSync(upper, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`runc run failed (${r.status ?? r.signal}): ${r.stderr}`);
    return ms;
  }

  /** Untimed steps of runOnceSplit, in ms: mount, create, start, wait, delete, umount. */
  readonly split: number[][] = [];

  /**
   * The runtime driven step by step, as an engine without berthd's shortcuts would: mount,
   * `runc create`, `runc start`, wait for the process to end, `runc delete`, umount; each
   * step timed.
   */
  runOnceSplit(): number {
    const upper = path.join(this.dir, `upper${this.iteration}`);
    const work = path.join(this.dir, `work${this.iteration}`);
    const pidFile = path.join(this.dir, 'pid');
    this.iteration++;
    const steps: number[] = [];
    let last = process.hrtime.bigint();
    const t0 = last;
    const step = () => {
      const now = process.hrtime.bigint();
      steps.push(Number(now - last) / 1e6);
      last = now;
    };
    // stdio to /dev/null and a file: the container inherits runc create's, and a pipe
    // would keep spawnSync waiting until the container ends.
    const errFile = path.join(this.dir, 'runc.err');
    const runc = (args: string[]) => {
      const errFd = openSync(errFile, 'w');
      let r: ReturnType<typeof spawnSync>;
      try {
        r = spawnSync(RUNC, [`--root=${this.runcRoot}`, ...args], { stdio: ['ignore', 'ignore', errFd], timeout: 30_000 });
      } finally {
        closeSync(errFd);
      }
      if (r.status !== 0) throw new Error(`runc ${args[0]} failed (${r.status ?? r.signal}): ${readFileSync(errFile, 'utf8')}`);
    };
    mkdirSync(upper);
    mkdirSync(work);
    native.mount('overlay', this.merged, 'overlay', 0, `lowerdir=${this.lowerdir},upperdir=${upper},workdir=${work}`);
    try {
      step();
      runc(['create', '--bundle', this.bundle, '--pid-file', pidFile, this.id]);
      step();
      const pid = Number(readFileSync(pidFile, 'utf8'));
      runc(['start', this.id]);
      step();
      // The process is not ours (runc create's child, reparented): gone or a zombie = ended.
      for (;;) {
        let state = '';
        try {
          state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
        } catch {
          break;
        }
        if (state === 'Z' || state === 'X') break;
        sleepSync(1);
      }
      step();
      runc(['delete', this.id]);
      step();
    } catch (err) {
      spawnSync(RUNC, [`--root=${this.runcRoot}`, 'delete', '--force', this.id], { stdio: 'ignore' });
      throw err;
    } finally {
      native.umount(this.merged, false);
    }
    step();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    this.split.push(steps);
    rmSync(upper, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    return ms;
  }

  cleanup(): void {
    spawnSync(RUNC, [`--root=${this.runcRoot}`, 'delete', '--force', this.id], { stdio: 'ignore' });
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- phases of one berthd `docker run`, from the kernel's tracepoints ----------------------

interface Phase {
  name: string;
  samples: number[];
}

/**
 * The kernel's own event tracer (ftrace), in an instance of our own on a private tracefs
 * mount: process fork/exec/exit and a few syscalls (mount, umount, rename, rmdir) of
 * berthd and everything it starts (event-fork), time-stamped on CLOCK_MONOTONIC, the
 * clock of process.hrtime. Unlike strace it does not stop the traced processes, so the
 * runs stay at their untraced speed.
 */
class KernelTrace {
  readonly mountDir: string;
  readonly instance: string;
  private mounted = false;

  constructor(dir: string) {
    this.mountDir = path.join(dir, 'tracefs');
    this.instance = path.join(this.mountDir, 'instances', `berth-bench-${process.pid}`);
  }

  start(pids: number[]): void {
    mkdirSync(this.mountDir, { recursive: true });
    native.mount('nodev', this.mountDir, 'tracefs', 0, '');
    this.mounted = true;
    mkdirSync(this.instance);
    const set = (file: string, value: string) => writeFileSync(path.join(this.instance, file), value);
    set('trace_clock', 'mono');
    set('buffer_size_kb', '4096');
    set('options/record-tgid', '1');
    set('options/event-fork', '1');
    set('set_event_pid', pids.join(' '));
    for (const e of ['sched/sched_process_fork', 'sched/sched_process_exec', 'sched/sched_process_exit', 'syscalls/sys_enter_mount', 'syscalls/sys_enter_umount', 'syscalls/sys_enter_rename', 'syscalls/sys_enter_renameat', 'syscalls/sys_enter_renameat2', 'syscalls/sys_enter_rmdir']) {
      set(`events/${e}/enable`, '1');
    }
    set('tracing_on', '1');
  }

  clear(): void {
    writeFileSync(path.join(this.instance, 'trace'), '');
  }

  read(): string {
    return readFileSync(path.join(this.instance, 'trace'), 'utf8');
  }

  stop(): void {
    if (!this.mounted) return;
    try {
      if (existsSync(this.instance)) {
        writeFileSync(path.join(this.instance, 'tracing_on'), '0');
        writeFileSync(path.join(this.instance, 'events/enable'), '0');
        rmdirSync(this.instance);
      }
    } finally {
      try {
        native.umount(this.mountDir, false);
      } catch {
        native.umount(this.mountDir, true);
      }
      this.mounted = false;
    }
  }
}

interface TraceEvent {
  comm: string;
  tid: number;
  tgid: number;
  t: number; // ms, CLOCK_MONOTONIC
  name: string;
  body: string;
}

function parseTrace(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(.*)-(\d+)\s+\(\s*(\d+|-+)\)\s+\[\d+\]\s+\S+\s+(\d+\.\d+):\s+(\w+)(?::\s*|\()(.*)$/);
    if (m) out.push({ comm: m[1], tid: Number(m[2]), tgid: Number(m[3]) || 0, t: Number(m[4]) * 1000, name: m[5], body: m[6] });
  }
  return out;
}

/**
 * Runs `docker run --rm busybox true` K times against berthd under the kernel tracer and
 * splits each run at the events that mark its phases.
 */
function breakdown(berth: TestDaemon, runs: number, trace: KernelTrace): { phases: Phase[]; totals: number[] } {
  const phases = PHASES.map(([name]) => ({ name, samples: [] as number[] }));
  const totals: number[] = [];
  const berthdThreads = readdirSync(`/proc/${berth.pid}/task`).map(Number);
  trace.start(berthdThreads);
  try {
    for (let i = 0; i < runs + 1; i++) {
      trace.clear();
      const start = Number(process.hrtime.bigint()) / 1e6;
      timed(DOCKER, ['run', '--rm', 'busybox', 'true'], { DOCKER_HOST: berth.host });
      const end = Number(process.hrtime.bigint()) / 1e6;
      sleepSync(50);
      if (i === 0) continue; // a warm-up
      const text = trace.read();
      const marks = markPhases(parseTrace(text), berth.pid, start, end);
      // BENCH_TRACE_DUMP=file keeps the raw trace of the last run (to check the markers).
      if (process.env.BENCH_TRACE_DUMP) writeFileSync(process.env.BENCH_TRACE_DUMP, `# cli ${start} → ${end} ms, marks ${JSON.stringify(marks)}\n${text}`);
      if (!marks) continue;
      totals.push(end - start);
      PHASES.forEach(([, from, to], p) => phases[p].samples.push(marks[to] - marks[from]));
    }
  } finally {
    trace.stop();
  }
  return { phases, totals };
}

/** Boundaries found by markPhases. */
const enum M {
  cliStart, created, netns, ipExec, ipExit, nsenterExec, netUp, mounted, specWritten, conmonExec, createExec, createExit,
  procExec, procExit, exitFile, netnsGone, unmounted, removed, deleteExec, deleteExit, cliEnd,
}

/**
 * Phase name, from, to: the critical path of a run on the default bridge, then what runs
 * beside it. berthd starts the process through runc's exec FIFO (no `runc start`), and
 * brings the network up (a namespace of its own, then `ip -batch` on the host side and
 * `nsenter … ip -batch` inside) while it mounts the overlay.
 */
const PHASES: [string, M, M][] = [
  ['CLI start → container created (CLI start, /_ping, create)', M.cliStart, M.created],
  ['created → netns made (attach, wait, start requests; createNetns)', M.created, M.netns],
  ['netns made → network up (ip, nsenter ip; overlay mounted beside)', M.netns, M.netUp],
  ['network up → config.json written (etc files, user, spec)', M.netUp, M.specWritten],
  ['config.json written → conmon exec', M.specWritten, M.conmonExec],
  ['conmon exec → runc create exec', M.conmonExec, M.createExec],
  ['runc create (exec → exit)', M.createExec, M.createExit],
  ['runc create exit → process exec (sync pipe, attach, exec FIFO)', M.createExit, M.procExec],
  ['the container process (exec of true → exit)', M.procExec, M.procExit],
  ['process exit → conmon exit file renamed in', M.procExit, M.exitFile],
  ['exit file → netns unmounted (exit detection, network detach)', M.exitFile, M.netnsGone],
  ['netns unmounted → overlay unmounted', M.netnsGone, M.unmounted],
  ['overlay unmounted → container dir renamed out of the store', M.unmounted, M.removed],
  ['removed → CLI exit (wait answer, CLI exit)', M.removed, M.cliEnd],
  ['  network: netns made → ip exec (spawn)', M.netns, M.ipExec],
  ['  network: ip -batch on the host (veth, bridge port; exec → exit)', M.ipExec, M.ipExit],
  ['  network: ip exit → nsenter exec (spawn)', M.ipExit, M.nsenterExec],
  ['  network: nsenter + ip -batch inside (address, route; exec → exit)', M.nsenterExec, M.netUp],
  ['  beside the network: created → overlay mounted', M.created, M.mounted],
  ['  beside, off the path: runc delete (exec → exit)', M.deleteExec, M.deleteExit],
];

const MS_BIND = 0x1000;
const MNT_DETACH = 2;

/** The flags argument of a traced mount or umount. */
function syscallFlags(e: TraceEvent): number {
  const m = e.body.match(/flags: (?:0x)?([0-9a-f]+)/);
  return m ? parseInt(m[1], 16) : 0;
}

/** Times (ms) of the boundaries (enum M) of one run: start and end are its CLI's. */
function markPhases(events: TraceEvent[], berthd: number, start: number, end: number): number[] | undefined {
  const forkedBy = new Map<number, number>(); // child pid → the forking task's tgid
  for (const e of events) {
    const m = e.name === 'sched_process_fork' ? e.body.match(/child_pid=(\d+)/) : null;
    if (m) forkedBy.set(Number(m[1]), e.tgid);
  }
  const find = (pred: (e: TraceEvent) => boolean, from: number) => (from < 0 ? -1 : events.findIndex((e, i) => i >= from && pred(e)));
  const exec = (e: TraceEvent, re: RegExp) => e.name === 'sched_process_exec' && re.test(e.body);
  const exitOf = (i: number) => (i < 0 ? -1 : find((e) => e.name === 'sched_process_exit' && e.tgid === events[i].tgid && /group_dead=true/.test(e.body), i));
  // sys_rename, sys_renameat, sys_renameat2: whichever the libc uses.
  const byBerthd = (e: TraceEvent, name: string) => e.tgid === berthd && e.name.startsWith(name);
  const childOfBerthd = (e: TraceEvent) => forkedBy.get(e.tid) === berthd;
  const runc = /^filename=\S*\/runc /;
  const created = find((e) => byBerthd(e, 'sys_rename'), 0);
  // The namespace is a bind mount (createNetns), the root an overlay mount with no flags.
  const netns = find((e) => byBerthd(e, 'sys_mount') && (syscallFlags(e) & MS_BIND) !== 0, created);
  const ipExec = find((e) => exec(e, /^filename=\S*\/ip /) && childOfBerthd(e), netns);
  const ipExit = exitOf(ipExec);
  const nsenterExec = find((e) => exec(e, /^filename=\S*\/nsenter /) && childOfBerthd(e), netns);
  const netUp = exitOf(nsenterExec);
  const mounted = find((e) => byBerthd(e, 'sys_mount') && (syscallFlags(e) & MS_BIND) === 0, created);
  const specWritten = find((e) => byBerthd(e, 'sys_rename'), Math.max(mounted, netUp));
  const conmonExec = find((e) => exec(e, /^filename=\S*\/conmon /), specWritten);
  const createExec = find((e) => exec(e, runc), conmonExec);
  const createExit = exitOf(createExec);
  const procExec = find((e) => exec(e, /^filename=\/bin\/true /), createExec);
  const procExit = exitOf(procExec);
  const exitFile = find((e) => e.comm === 'conmon' && e.name.startsWith('sys_rename'), procExit);
  // berthd unmounts and removes while `runc delete` runs beside (it is off the --rm path).
  const deleteExec = find((e) => exec(e, runc) && childOfBerthd(e), exitFile);
  const deleteExit = exitOf(deleteExec);
  const netnsGone = find((e) => byBerthd(e, 'sys_umount') && (syscallFlags(e) & MNT_DETACH) !== 0, exitFile);
  const unmounted = find((e) => byBerthd(e, 'sys_umount') && (syscallFlags(e) & MNT_DETACH) === 0, exitFile);
  const removed = find((e) => byBerthd(e, 'sys_rename') && e.t <= end, Math.max(unmounted, netnsGone));
  const found = [created, netns, ipExec, ipExit, nsenterExec, netUp, mounted, specWritten, conmonExec, createExec, createExit, procExec, procExit, exitFile, netnsGone, unmounted, removed, deleteExec, deleteExit];
  if (found.some((i) => i < 0)) return undefined;
  return [start, ...found.map((i) => events[i].t), end];
}

// ---- publishing 100 ports ----------------------------------------------------------------------

/** One daemon's figures of the port benchmark. */
interface PortSide {
  /** `docker run -d busybox sleep 600`, then the same with -p low-high:low-high. */
  plainRun: number[];
  publishedRun: number[];
  /** `docker rm -f` of each. */
  publishedRm: number[];
  plainRm: number[];
  /** The engine's RSS (berthd; dockerd + containerd) before and with the ports published. */
  rssBefore: number[];
  rssAfter: number[];
  /** The engine's open file descriptors, the same way. */
  fdsBefore: number[];
  fdsAfter: number[];
  /** dockerd's docker-proxy processes while published: count, total RSS and PSS. */
  proxies: number[];
  proxyRss: number[];
  proxyPss: number[];
  /** Lines of `docker port`: the bindings the daemon reports. */
  bindings: number;
}

interface PortResults {
  range: [number, number];
  berthd: PortSide;
  dockerd?: PortSide;
}

function emptySide(): PortSide {
  return { plainRun: [], publishedRun: [], publishedRm: [], plainRm: [], rssBefore: [], rssAfter: [], fdsBefore: [], fdsAfter: [], proxies: [], proxyRss: [], proxyPss: [], bindings: 0 };
}

/**
 * `docker run -d -p L-H:L-H busybox sleep 600` (100 ports) against a plain `run -d`, and
 * `docker rm -f` of each, on each daemon: one warm-up round and `rounds` measured ones,
 * the daemons taking turns to go first. The range is checked free before each publish.
 */
async function portsBenchmark(berth: TestDaemon, dockerd: PrivateDockerd | undefined, range: [number, number], rounds: number): Promise<PortResults> {
  const [low, high] = range;
  const spec = `${low}-${high}:${low}-${high}`;
  const sides: { name: 'berthd' | 'dockerd'; host: string; pids: () => number[]; proxies: () => number[]; result: PortSide }[] = [
    { name: 'berthd', host: berth.host, pids: () => [berth.pid], proxies: () => [], result: emptySide() },
  ];
  if (dockerd) sides.push({ name: 'dockerd', host: dockerd.host, pids: () => [dockerd.pid, dockerd.containerdPid], proxies: () => dockerd.proxyPids(), result: emptySide() });
  const sum = (pids: number[], f: (pid: number) => number) => pids.reduce((a, p) => a + f(p), 0);
  for (let round = 0; round < rounds + 1; round++) {
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(round + k) % sides.length];
      const r = side.result;
      const env = { DOCKER_HOST: side.host };
      await waitPortsFree(low, high, 10_000);
      const plain = timedOutput(DOCKER, ['run', '-d', 'busybox', 'sleep', '600'], env);
      sleepSync(200);
      const rssBefore = sum(side.pids(), (p) => statusBytes(p));
      const fdsBefore = sum(side.pids(), fdCount);
      const published = timedOutput(DOCKER, ['run', '-d', '-p', spec, 'busybox', 'sleep', '600'], env);
      sleepSync(200);
      const rssAfter = sum(side.pids(), (p) => statusBytes(p));
      const fdsAfter = sum(side.pids(), fdCount);
      const proxies = side.proxies();
      const proxyRss = sum(proxies, (p) => statusBytes(p));
      const proxyPss = sum(proxies, pssBytes);
      const bindings = docker(side.host, ['port', published.out.trim()]).split('\n').filter(Boolean).length;
      const publishedRm = timed(DOCKER, ['rm', '-f', published.out.trim()], env);
      sleepSync(20);
      const plainRm = timed(DOCKER, ['rm', '-f', plain.out.trim()], env);
      if (bindings < high - low + 1) throw new Error(`${side.name} reports ${bindings} published bindings, expected ${high - low + 1}`);
      if (round === 0) continue;
      r.plainRun.push(plain.ms);
      r.publishedRun.push(published.ms);
      r.publishedRm.push(publishedRm);
      r.plainRm.push(plainRm);
      r.rssBefore.push(rssBefore);
      r.rssAfter.push(rssAfter);
      r.fdsBefore.push(fdsBefore);
      r.fdsAfter.push(fdsAfter);
      r.proxies.push(proxies.length);
      r.proxyRss.push(proxyRss);
      r.proxyPss.push(proxyPss);
      r.bindings = bindings;
      sleepSync(20);
    }
  }
  await waitPortsFree(low, high, 10_000);
  return { range, berthd: sides[0].result, dockerd: sides[1]?.result };
}

// ---- output -----------------------------------------------------------------------------------

const fmtMs = (v?: number) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const fmtMiB = (v?: number) => (v === undefined ? '—' : (v / MiB).toFixed(1));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('run as root (it starts daemons and mounts overlays)');
  const started = Date.now();
  const haveDockerd = opts.dockerd && existsSync(DOCKERD);
  const cgroupsBefore = new Set([...cgroupDirs('berth-bench'), ...cgroupDirs('docker')].filter((d) => existsSync(d)));

  const berth = new TestDaemon();
  const dockerd = haveDockerd ? new PrivateDockerd() : undefined;
  const bridge = new BenchBridge();
  const floor = new RuntimeFloor();
  const trace = new KernelTrace(floor.dir);
  const cleanup = async () => {
    try {
      trace.stop();
    } catch (err) {
      process.stderr.write(`stopping the kernel trace: ${(err as Error).message}\n`);
    }
    await Promise.allSettled([berth.stop(), dockerd?.stop()]);
    // After dockerd: it leaves a bridge it was given in place, with its veths gone.
    try {
      bridge.remove();
    } catch (err) {
      process.stderr.write(`removing bridge ${bridge.name}: ${(err as Error).message}\n`);
    }
    floor.cleanup();
    removeCgroups('berth-bench', cgroupsBefore);
    removeCgroups('docker', cgroupsBefore);
  };
  let cleaning: Promise<void> | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: cleaning up\n`);
    cleaning ??= cleanup();
    void cleaning.finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = (msg: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
  try {
    progress('starting berthd and making busybox:latest');
    await berth.start();
    await berth.makeBusybox();
    await sleep(500);
    const berthIdle = statusBytes(berth.pid);
    const berthIdlePss = pssBytes(berth.pid);

    let dockerdIdle: number | undefined;
    let dockerdIdlePss: number | undefined;
    if (dockerd) {
      bridge.create([berth.subnetPrefix]);
      dockerd.bridge = bridge.name;
      progress(`starting a private dockerd (bridge ${bridge.name}, ${bridge.gatewayCidr}) and loading the same busybox into it`);
      await dockerd.start();
      const load = spawnSync('bash', ['-o', 'pipefail', '-c', `DOCKER_HOST=${berth.host} ${DOCKER} save busybox:latest | DOCKER_HOST=${dockerd.host} ${DOCKER} load`], { encoding: 'utf8' });
      if (load.status !== 0) throw new Error(`save | load failed: ${load.stderr}${load.stdout}`);
      await sleep(500);
      dockerdIdle = statusBytes(dockerd.pid) + statusBytes(dockerd.containerdPid);
      dockerdIdlePss = pssBytes(dockerd.pid) + pssBytes(dockerd.containerdPid);
    }

    await floor.prepare(berth);

    // 1–3: docker run --rm busybox true, on the default bridge and with --network none, interleaved.
    progress(`docker run --rm busybox true: ${opts.warmup} warm-ups + ${opts.runs} runs per scenario, interleaved`);
    const runArgs = ['run', '--rm', 'busybox', 'true'];
    const runNoneArgs = ['run', '--rm', '--network', 'none', 'busybox', 'true'];
    const scenarios = [
      { name: 'berthd-bridge', fn: () => timed(DOCKER, runArgs, { DOCKER_HOST: berth.host }) },
      { name: 'berthd-none', fn: () => timed(DOCKER, runNoneArgs, { DOCKER_HOST: berth.host }) },
      { name: 'floor', fn: () => floor.runOnce() },
      { name: 'floor-split', fn: () => floor.runOnceSplit() },
      { name: 'floor-unconfined', fn: () => floor.runOnce(false) },
    ];
    if (dockerd) {
      scenarios.push(
        { name: 'dockerd-bridge', fn: () => timed(DOCKER, runArgs, { DOCKER_HOST: dockerd.host }) },
        { name: 'dockerd-none', fn: () => timed(DOCKER, runNoneArgs, { DOCKER_HOST: dockerd.host }) },
      );
    }
    const runSamples = measureInterleaved(scenarios, opts.warmup, opts.runs);
    const runStats = new Map([...runSamples].map(([k, v]) => [k, stats(v)]));
    // Both run their default containers on a bridge: a veth and an address each.
    if (dockerd && !docker(dockerd.host, ['network', 'ls', '--format', '{{.Name}}']).split('\n').includes('bridge')) {
      throw new Error(`dockerd has no bridge network (--bridge ${dockerd.bridge})`);
    }

    // Publishing and releasing 100 ports.
    let ports: PortResults | undefined;
    if (opts.portRuns > 0) {
      const range = await freePortRange(100);
      progress(`publishing ports ${range[0]}-${range[1]}: 1 warm-up + ${opts.portRuns} rounds per daemon, interleaved`);
      ports = await portsBenchmark(berth, dockerd, range, opts.portRuns);
    }

    // 4: docker ps with N running.
    progress(`starting ${opts.containers} \`busybox sleep 1000\` on each daemon`);
    const startDetached = (host: string, extra: string[]) => {
      const times: number[] = [];
      for (let i = 0; i < opts.containers; i++) times.push(timed(DOCKER, ['run', '-d', ...extra, 'busybox', 'sleep', '1000'], { DOCKER_HOST: host }));
      return stats(times);
    };
    const berthRunD = startDetached(berth.host, []);
    const dockerdRunD = dockerd ? startDetached(dockerd.host, []) : undefined;
    const countRunning = (host: string) => docker(host, ['ps', '-q']).split('\n').filter(Boolean).length;
    if (countRunning(berth.host) !== opts.containers) throw new Error(`berthd has ${countRunning(berth.host)} running, expected ${opts.containers}`);
    if (dockerd && countRunning(dockerd.host) !== opts.containers) throw new Error(`dockerd has ${countRunning(dockerd.host)} running`);

    progress(`docker ps with ${opts.containers} running: ${opts.warmup} warm-ups + ${opts.runs} runs each, interleaved`);
    const psScenarios = [
      { name: 'berthd', fn: () => timed(DOCKER, ['ps'], { DOCKER_HOST: berth.host }) },
      { name: 'berthd-version', fn: () => timed(DOCKER, ['version'], { DOCKER_HOST: berth.host }) },
    ];
    if (dockerd) {
      psScenarios.push(
        { name: 'dockerd', fn: () => timed(DOCKER, ['ps'], { DOCKER_HOST: dockerd.host }) },
        { name: 'dockerd-version', fn: () => timed(DOCKER, ['version'], { DOCKER_HOST: dockerd.host }) },
      );
    }
    const psStats = new Map([...measureInterleaved(psScenarios, opts.warmup, opts.runs)].map(([k, v]) => [k, stats(v)]));

    // 5: memory.
    const ids = docker(berth.host, ['ps', '-q', '--no-trunc']).split('\n').filter(Boolean);
    const conmonPids = ids.map((id) => Number(readFileSync(path.join(berth.execRoot, 'containers', id, 'conmon.pid'), 'utf8').trim()));
    const conmonRss = median(conmonPids.map((p) => statusBytes(p)));
    const conmonPss = median(conmonPids.map((p) => pssBytes(p)));
    const berthBusy = statusBytes(berth.pid);
    let shimRss: number | undefined;
    let shimPss: number | undefined;
    let dockerdBusy: number | undefined;
    let shimCount = 0;
    if (dockerd) {
      const shims = dockerd.shimPids();
      shimCount = shims.length;
      shimRss = median(shims.map((p) => statusBytes(p)));
      shimPss = median(shims.map((p) => pssBytes(p)));
      dockerdBusy = statusBytes(dockerd.pid) + statusBytes(dockerd.containerdPid);
    }

    // 6: builds with the classic builder (DOCKER_BUILDKIT=0), cold (--no-cache) and fully cached.
    const buildDir = makeBuildContext();
    const buildRuns = Math.max(3, Math.round(opts.runs / 4));
    progress(`builds: ${buildRuns} cold and ${opts.runs} cached per daemon, interleaved`);
    const build = (host: string, extra: string[]) => () =>
      timed(DOCKER, ['build', '-q', ...extra, '-t', 'bench-build', buildDir], { DOCKER_HOST: host, DOCKER_BUILDKIT: '0' });
    const coldScenarios = [{ name: 'berthd', fn: build(berth.host, ['--no-cache']) }];
    const cachedScenarios = [{ name: 'berthd', fn: build(berth.host, []) }];
    if (dockerd) {
      coldScenarios.push({ name: 'dockerd', fn: build(dockerd.host, ['--no-cache']) });
      cachedScenarios.push({ name: 'dockerd', fn: build(dockerd.host, []) });
    }
    const coldBuild = new Map([...measureInterleaved(coldScenarios, 1, buildRuns)].map(([k, v]) => [k, stats(v)]));
    const cachedBuild = new Map([...measureInterleaved(cachedScenarios, 1, opts.runs)].map(([k, v]) => [k, stats(v)]));
    rmSync(buildDir, { recursive: true, force: true });

    // Optional: where berthd's time goes.
    let phases: { phases: Phase[]; totals: number[] } | undefined;
    let breakdownError = '';
    if (opts.breakdown > 0) {
      progress(`removing the sleepers, then ${opts.breakdown} traced runs for the breakdown`);
      for (const id of ids) await berth.api('DELETE', `/containers/${id}?force=1`);
      try {
        phases = breakdown(berth, opts.breakdown, trace);
      } catch (err) {
        breakdownError = (err as Error).message;
      }
    }

    const versions = `${run(RUNC, ['--version']).split('\n')[0]}; ${haveDockerd ? run(DOCKERD, ['--version']).trim() : 'no dockerd'}; docker CLI ${run(DOCKER, ['version', '--format', '{{.Client.Version}}'], { DOCKER_HOST: berth.host }).trim()}`;
    progress('cleaning up');
    cleaning ??= cleanup();
    await cleaning;

    // ---- report ----
    const b = runStats.get('berthd-bridge');
    const bn = runStats.get('berthd-none');
    const f = runStats.get('floor');
    const dn = runStats.get('dockerd-none');
    const dd = runStats.get('dockerd-bridge');
    const pb = psStats.get('berthd');
    const pd = psStats.get('dockerd');
    const ratio = (x?: number, y?: number) => (x !== undefined && y ? `${(x / y).toFixed(2)}x` : '—');
    const out: string[] = [];
    out.push(`berth benchmark  ${new Date().toISOString()}  ${os.hostname()}  kernel ${os.release()}  ${os.cpus().length} CPUs  node ${process.version}`);
    out.push(versions);
    out.push(`N=${opts.runs} per figure after ${opts.warmup} warm-ups, scenarios interleaved; times in ms`);
    out.push('');
    const rows: string[][] = [['figure', 'median', 'p90', 'min']];
    const row = (name: string, s?: Stats) => rows.push([name, fmtMs(s?.median), fmtMs(s?.p90), fmtMs(s?.min)]);
    row('run --rm busybox true   berthd default bridge', b);
    if (dockerd) row(`run --rm busybox true   dockerd default bridge (${bridge.name}, no iptables)`, dd);
    row('run --rm busybox true   berthd --network none', bn);
    if (dockerd) row('run --rm busybox true   dockerd --network none', dn);
    row('floor: mount overlay + runc run + umount (no engine)', f);
    row('floor split: mount + runc create + start + wait + delete + umount', runStats.get('floor-split'));
    row('floor without seccomp (runc run, seccomp unconfined)', runStats.get('floor-unconfined'));
    row(`run -d busybox sleep    berthd bridge (${opts.containers} sleepers)`, berthRunD);
    if (dockerd) row(`run -d busybox sleep    dockerd bridge (${opts.containers} sleepers)`, dockerdRunD);
    row(`ps, ${opts.containers} running           berthd`, pb);
    if (dockerd) row(`ps, ${opts.containers} running           dockerd`, pd);
    row('build, cold (--no-cache)  berthd', coldBuild.get('berthd'));
    if (dockerd) row('build, cold (--no-cache)  dockerd classic builder', coldBuild.get('dockerd'));
    row('build, fully cached       berthd', cachedBuild.get('berthd'));
    if (dockerd) row('build, fully cached       dockerd classic builder', cachedBuild.get('dockerd'));
    row('version (CLI start + /_ping + /version)  berthd', psStats.get('berthd-version'));
    if (dockerd) row('version (CLI start + /_ping + /version)  dockerd', psStats.get('dockerd-version'));
    out.push(table(rows));
    out.push('');
    const split = floor.split.slice(opts.warmup);
    if (split.length) {
      const names = ['mount overlay', 'runc create', 'runc start', 'wait for exit', 'runc delete', 'umount'];
      out.push(`floor split, per step (median ms): ${names.map((n, k) => `${n} ${fmtMs(median(split.map((r) => r[k])))}`).join(', ')}`);
      out.push('');
    }
    const mem: string[][] = [['memory (MiB)', 'RSS', 'PSS']];
    mem.push(['berthd idle (after start + image)', fmtMiB(berthIdle), fmtMiB(berthIdlePss)]);
    mem.push([`berthd with ${opts.containers} running`, fmtMiB(berthBusy), '']);
    mem.push([`conmon per container (median of ${conmonPids.length})`, fmtMiB(conmonRss), fmtMiB(conmonPss)]);
    if (dockerd) {
      mem.push(['dockerd + containerd idle (after start + load)', fmtMiB(dockerdIdle), fmtMiB(dockerdIdlePss)]);
      mem.push([`dockerd + containerd with ${opts.containers} running`, fmtMiB(dockerdBusy), '']);
      mem.push([`containerd-shim per container (median of ${shimCount})`, fmtMiB(shimRss), fmtMiB(shimPss)]);
    }
    out.push(table(mem));
    out.push('');
    if (ports) {
      const [low, high] = ports.range;
      const sides = [ports.berthd, ...(ports.dockerd ? [ports.dockerd] : [])];
      const med = (f: (side: PortSide) => number[]) => sides.map((side) => median(f(side)));
      const cells = (values: number[], fmt: (v: number) => string) => values.map(fmt);
      const pt: string[][] = [[`publishing ${high - low + 1} ports (${low}-${high}/tcp), ${ports.berthd.plainRun.length} rounds, medians`, 'berthd', ...(ports.dockerd ? ['dockerd'] : [])]];
      const runPlain = med((x) => x.plainRun);
      const runPub = med((x) => x.publishedRun);
      const rmPub = med((x) => x.publishedRm);
      const rmPlain = med((x) => x.plainRm);
      pt.push(['run -d busybox sleep 600 (ms)', ...cells(runPlain, fmtMs)]);
      pt.push([`run -d -p ${low}-${high}:${low}-${high} busybox sleep 600 (ms)`, ...cells(runPub, fmtMs)]);
      pt.push(['  publishing: the difference (ms)', ...runPub.map((v, i) => fmtMs(v - runPlain[i]))]);
      pt.push(['rm -f, the published one (ms)', ...cells(rmPub, fmtMs)]);
      pt.push(['rm -f, the plain one (ms)', ...cells(rmPlain, fmtMs)]);
      pt.push(['  releasing: the difference (ms)', ...rmPub.map((v, i) => fmtMs(v - rmPlain[i]))]);
      pt.push(['bindings `docker port` lists', ...sides.map((x) => String(x.bindings))]);
      pt.push(['processes serving the ports (docker-proxy)', ...cells(med((x) => x.proxies), (v) => String(v))]);
      pt.push(['  their RSS, total (MiB)', ...cells(med((x) => x.proxyRss), fmtMiB)]);
      pt.push(['  their PSS, total (MiB)', ...cells(med((x) => x.proxyPss), fmtMiB)]);
      pt.push(['engine RSS before → with the ports (MiB; dockerd: + containerd)', ...sides.map((x) => `${fmtMiB(median(x.rssBefore))} → ${fmtMiB(median(x.rssAfter))}`)]);
      pt.push(['engine open fds before → with the ports', ...sides.map((x) => `${median(x.fdsBefore)} → ${median(x.fdsAfter)}`)]);
      out.push(table(pt));
      out.push('');
    }
    const ratios: string[][] = [['ratio', 'value']];
    if (dockerd) {
      ratios.push(['berthd run / dockerd run, default bridge', ratio(b?.median, dd?.median)]);
      ratios.push(['berthd run / dockerd run, --network none', ratio(bn?.median, dn?.median)]);
    }
    const diff = (x?: number, y?: number) => (x !== undefined && y !== undefined ? `${fmtMs(x - y)} ms` : '—');
    ratios.push(['berthd run bridge / berthd run --network none', ratio(b?.median, bn?.median)]);
    ratios.push(['  the bridge\'s cost on berthd (difference of medians)', diff(b?.median, bn?.median)]);
    if (dockerd) {
      ratios.push(['dockerd run bridge / dockerd run --network none', ratio(dd?.median, dn?.median)]);
      ratios.push(['  the bridge\'s cost on dockerd (difference of medians)', diff(dd?.median, dn?.median)]);
    }
    ratios.push(['berthd run --network none / floor', ratio(bn?.median, f?.median)]);
    if (ports?.dockerd) {
      const cost = (x: PortSide, a: (y: PortSide) => number[], b: (y: PortSide) => number[]) => median(a(x)) - median(b(x));
      const pub = (x: PortSide) => cost(x, (y) => y.publishedRun, (y) => y.plainRun);
      const rel = (x: PortSide) => cost(x, (y) => y.publishedRm, (y) => y.plainRm);
      ratios.push(['berthd / dockerd, publishing 100 ports (difference to run -d)', ratio(pub(ports.berthd), pub(ports.dockerd))]);
      ratios.push(['berthd / dockerd, releasing them (difference to rm -f)', ratio(rel(ports.berthd), rel(ports.dockerd))]);
      ratios.push(['berthd / dockerd, run -d -p with 100 ports', ratio(median(ports.berthd.publishedRun), median(ports.dockerd.publishedRun))]);
    }
    if (dockerd) {
      ratios.push([`berthd ps / dockerd ps (${opts.containers} running)`, ratio(pb?.median, pd?.median)]);
      ratios.push(['berthd idle RSS / dockerd+containerd idle RSS', ratio(berthIdle, dockerdIdle)]);
      ratios.push(['conmon RSS / containerd-shim RSS', ratio(conmonRss, shimRss)]);
    }
    out.push(table(ratios));
    out.push('');
    const mark = (ok: boolean | undefined) => (ok === undefined ? 'n/a (no dockerd)' : ok ? 'MET' : 'NOT MET');
    const goals: string[][] = [['goal', 'figure', 'status']];
    goals.push(['berthd run ≤ 0.4x dockerd run (default bridge)', dd && b ? `${ratio(b.median, dd.median)} (limit ${fmtMs(0.4 * dd.median)} ms)` : '—', mark(dd && b ? b.median <= 0.4 * dd.median : undefined)]);
    goals.push(['berthd run ≤ 0.4x dockerd run (--network none)', dn && bn ? `${ratio(bn.median, dn.median)} (limit ${fmtMs(0.4 * dn.median)} ms)` : '—', mark(dn && bn ? bn.median <= 0.4 * dn.median : undefined)]);
    goals.push(['berthd run --network none ≤ 3x the floor', f && bn ? `${ratio(bn.median, f.median)} (limit ${fmtMs(3 * f.median)} ms)` : '—', mark(f && bn ? bn.median <= 3 * f.median : false)]);
    goals.push([`berthd ps faster than dockerd's (${opts.containers} running)`, pd && pb ? `${fmtMs(pb.median)} vs ${fmtMs(pd.median)} ms` : '—', mark(pd && pb ? pb.median < pd.median : undefined)]);
    goals.push(['berthd idle RSS < 80 MiB', `${fmtMiB(berthIdle)} MiB`, mark(berthIdle < 80 * MiB)]);
    goals.push(['per-container monitor < 3 MiB', `${fmtMiB(conmonRss)} MiB`, mark(conmonRss < 3 * MiB)]);
    const bc = coldBuild.get('berthd');
    const dc = coldBuild.get('dockerd');
    const bk = cachedBuild.get('berthd');
    const dk = cachedBuild.get('dockerd');
    goals.push(['build cold ≤ 0.4x dockerd\'s classic builder', dc && bc ? `${ratio(bc.median, dc.median)} (limit ${fmtMs(0.4 * dc.median)} ms)` : '—', mark(dc && bc ? bc.median <= 0.4 * dc.median : undefined)]);
    goals.push(['build fully cached ≤ dockerd\'s', dk && bk ? `${fmtMs(bk.median)} vs ${fmtMs(dk.median)} ms` : '—', mark(dk && bk ? bk.median <= dk.median : undefined)]);
    goals.push(['build fully cached < 100 ms', `${fmtMs(bk?.median)} ms`, mark(bk ? bk.median < 100 : false)]);
    out.push(table(goals));
    if (breakdownError) out.push('', `breakdown unavailable (needs tracefs with sched and syscalls events): ${breakdownError}`);
    if (phases) {
      out.push('');
      out.push(`where berthd's \`run --rm busybox true\` on the default bridge goes (kernel tracepoints, ${phases.totals.length} runs, median total ${fmtMs(median(phases.totals))} ms):`);
      const pr: string[][] = [['phase', 'median ms', 'p90', 'share']];
      const total = median(phases.totals);
      for (const p of phases.phases) {
        const s = p.samples.length ? stats(p.samples) : undefined;
        pr.push([p.name, fmtMs(s?.median), fmtMs(s?.p90), s ? `${((100 * s.median) / total).toFixed(0)}%` : '—']);
      }
      out.push(table(pr));
    }
    out.push('');
    out.push(`(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    process.stdout.write(out.join('\n') + '\n');
  } catch (err) {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? err}\n`);
    if (dockerd) process.stderr.write(`dockerd log tail:\n${dockerd.tail()}\n`);
    cleaning ??= cleanup();
    await cleaning;
    process.exitCode = 1;
  }
}

void main();
