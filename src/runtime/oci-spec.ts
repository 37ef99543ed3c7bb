// The OCI runtime spec (config.json) berth hands to runc/crun: what dockerd 20.10 writes
// for the same container, with Docker's default security (capabilities, seccomp, masked
// and read-only paths, device cgroup rules).
//
// Compared field by field with the config.json of the reference dockerd 20.10.24 for:
// plain `run`, --init, --privileged, -t, -u 1000:1000 (and other -u forms), --network
// none/host, --cap-add/--cap-drop, --read-only, --ipc host/none/shareable, --pid host,
// --uts host, --shm-size, --sysctl, --domainname, --oom-score-adj, --cgroupns private,
// --security-opt no-new-privileges. Differences kept on purpose:
//   - --network host: no network namespace entry at all (dockerd joins the "default"
//     sandbox, a bind mount of the host's own namespace: the same thing).
//   - No `hooks` (dockerd's libnetwork-setkey hook; berth wires networks itself), and no
//     zero-valued memory/cpu/blockIO resources (they change nothing).
//   - process.consoleSize is written when given, so a TTY starts at the client's size
//     instead of 0x0 until the first resize.
//   - /sys/devices/virtual/powercap is masked too (Docker 23+; CVE-2020-8694).
//   - Privileged and --cap-add ALL are limited to the capabilities the host can grant
//     (dockerd 20.10 asks for every capability it knows, and runc then fails with
//     "unable to apply caps" on a host without e.g. CAP_SYS_RESOURCE, as here), and know
//     CAP_PERFMON, CAP_BPF and CAP_CHECKPOINT_RESTORE, which dockerd 20.10 rejects.
//   - The seccomp profile differences are listed in seccomp-default.ts.
// Like dockerd, the device cgroup rules list only Docker's own entries: runc appends its
// defaults (c *:* m, b *:* m, /dev/pts 136:*, ptmx 5:2, tun 10:200 ...) itself.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { badParameter, serverError } from '../common/errors.js';
import { defaultSeccompProfile, type LinuxSeccomp } from './seccomp-default.js';

export type { LinuxSeccomp } from './seccomp-default.js';

// ---- Types: the parts of the OCI runtime spec berth writes ----

export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface PosixRlimit {
  type: string; // e.g. RLIMIT_NOFILE
  soft: number;
  hard: number;
}

export interface OciProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: LinuxCapabilities;
  rlimits?: PosixRlimit[];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
}

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface LinuxNamespace {
  type: NamespaceType;
  path?: string;
}

export interface LinuxDevice {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight?: number };
}

export interface OciLinux {
  sysctl?: Record<string, string>;
  resources?: LinuxResources;
  cgroupsPath?: string;
  namespaces: LinuxNamespace[];
  devices?: LinuxDevice[];
  seccomp?: LinuxSeccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: OciLinux;
}

// ---- Input ----

/**
 * Network namespace: 'private' (a new one; berth may configure it from outside),
 * 'none' (a new one with only loopback), 'host' (the host's), or the path of an existing
 * one. `shared: true` marks another container's namespace (--network container:x):
 * dockerd then leaves its sysctls alone.
 */
export type NetworkMode = 'private' | 'none' | 'host' | { path: string; shared?: boolean };
/** 'shareable' is 'private' whose /dev/shm others may join (pass its shmPath). */
export type IpcMode = 'private' | 'shareable' | 'none' | 'host' | { path: string };
export type PidMode = 'private' | 'host' | { path: string };
export type UtsMode = 'private' | 'host';
export type CgroupnsMode = 'private' | 'host';

export interface OciSpecInput {
  args: string[];
  /** The final environment (see containerEnv). */
  env: string[];
  cwd?: string;
  user: OciUser;
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  hostname?: string;
  domainname?: string;
  /** Absolute path of the mounted root filesystem. */
  rootfs: string;
  readonlyRootfs?: boolean;
  /** Host paths of the files berth writes for the container (in its own directory). */
  containerFiles?: { resolvConf?: string; hostname?: string; hosts?: string };
  network?: NetworkMode;
  ipc?: IpcMode;
  /** Host directory to bind at /dev/shm instead of a fresh tmpfs (shareable / joined IPC). */
  shmPath?: string;
  pid?: PidMode;
  uts?: UtsMode;
  /** Default 'host', as dockerd on cgroup v1; see defaultCgroupnsMode(). */
  cgroupns?: CgroupnsMode;
  /** true: find tini/catatonit on the host (findInitBinary); a string: that binary. */
  init?: boolean | string;
  /** cgroupfs path, e.g. /berth/<id>. */
  cgroupsPath?: string;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** What privileged / ALL may grant; default: this process's bounding set. */
  hostCapabilities?: string[];
  /** Devices a privileged container gets; default: listHostDevices(). */
  hostDevices?: LinuxDevice[];
  /** Bytes; default 64 MiB. */
  shmSize?: number;
  sysctls?: Record<string, string>;
  oomScoreAdj?: number;
  noNewPrivileges?: boolean;
  /** --security-opt seccomp=: default profile, unconfined, or a profile of one's own. */
  seccomp?: 'default' | 'unconfined' | LinuxSeccomp;
  rlimits?: PosixRlimit[];
  /** Volumes, binds and tmpfs; each replaces a default mount at the same destination. */
  mounts?: OciMount[];
  /** --device: nodes to create, and their cgroup rules. */
  devices?: LinuxDevice[];
  deviceCgroupRules?: LinuxDeviceCgroup[];
  resources?: Omit<LinuxResources, 'devices'>;
  annotations?: Record<string, string>;
}

// ---- Docker's defaults ----

export const OCI_VERSION = '1.0.2-dev';
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
/** Where Docker puts the init binary inside the container. */
export const CONTAINER_INIT_PATH = '/sbin/docker-init';

/** Every capability of Linux 5.9+ (cap_last_cap 40), in kernel order. */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Docker's 14 default capabilities, in Docker's order (CapEff 00000000a80425fb). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
];

/**
 * dockerd's device cgroup rules: deny everything, then allow zero, null, urandom, random,
 * tty, console; /dev/fuse stays denied even though runc's defaults would not allow it.
 */
export const DEFAULT_DEVICE_RULES: readonly LinuxDeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
];

/** Static init binaries first: a dynamic one fails in images without the host's libc. */
export const INIT_CANDIDATES: readonly string[] = [
  '/usr/bin/docker-init',
  '/usr/bin/tini-static',
  '/usr/bin/catatonit',
  '/usr/libexec/podman/catatonit',
  '/usr/bin/tini',
  '/usr/sbin/tini',
];

// ---- The spec ----

export function buildOciSpec(input: OciSpecInput): OciSpec {
  const privileged = input.privileged ?? false;
  const network = input.network ?? 'private';
  const ipc = input.ipc ?? 'private';
  const pid = input.pid ?? 'private';
  const uts = input.uts ?? 'private';
  const initPath = input.init === true ? findInitBinary() : input.init || undefined;

  // Validated even when privileged (which ignores them), as dockerd does at create.
  const tweaked = resolveCapabilities(input.capAdd ?? [], input.capDrop ?? [], input.hostCapabilities);
  const capabilities = privileged ? grantable(ALL_CAPABILITIES, input.hostCapabilities) : tweaked;

  const process: OciProcess = {
    ...(input.terminal ? { terminal: true } : {}),
    ...(input.terminal && input.consoleSize ? { consoleSize: { ...input.consoleSize } } : {}),
    user: {
      uid: input.user.uid,
      gid: input.user.gid,
      additionalGids: [...(input.user.additionalGids ?? [input.user.gid])],
    },
    args: initPath ? [CONTAINER_INIT_PATH, '--', ...input.args] : [...input.args],
    env: [...input.env],
    cwd: input.cwd || '/',
    // dockerd gives a non-root user the bounding set only: it must gain capabilities
    // through file capabilities or setuid binaries, like on a host.
    capabilities:
      input.user.uid === 0
        ? { bounding: [...capabilities], effective: [...capabilities], permitted: [...capabilities] }
        : { bounding: [...capabilities] },
    ...(input.rlimits?.length ? { rlimits: input.rlimits.map((r) => ({ ...r })) } : {}),
    ...(input.noNewPrivileges ? { noNewPrivileges: true } : {}),
    oomScoreAdj: input.oomScoreAdj ?? 0,
  };

  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process,
    root: { path: input.rootfs, ...(input.readonlyRootfs ? { readonly: true } : {}) },
    ...(uts !== 'host' && input.hostname ? { hostname: input.hostname } : {}),
    mounts: buildMounts(input, ipc, initPath, privileged),
    ...(input.annotations && Object.keys(input.annotations).length ? { annotations: { ...input.annotations } } : {}),
    linux: {
      resources: {
        devices: privileged
          ? [{ allow: true, access: 'rwm' }]
          : [...DEFAULT_DEVICE_RULES, ...(input.deviceCgroupRules ?? [])].map((r) => ({ ...r })),
        ...structuredClone(input.resources ?? {}),
      },
      ...(input.cgroupsPath ? { cgroupsPath: input.cgroupsPath } : {}),
      namespaces: buildNamespaces(network, ipc, pid, uts, input.cgroupns ?? 'host'),
    },
  };

  const sysctl = buildSysctls(input, network);
  if (Object.keys(sysctl).length) spec.linux.sysctl = sysctl;

  const devices = [...(privileged ? input.hostDevices ?? listHostDevices() : []), ...(input.devices ?? [])];
  if (devices.length) spec.linux.devices = devices.map((d) => ({ ...d }));

  if (!privileged) {
    const seccomp = input.seccomp ?? 'default';
    if (seccomp === 'default') spec.linux.seccomp = defaultSeccompProfile(capabilities);
    else if (seccomp !== 'unconfined') spec.linux.seccomp = structuredClone(seccomp);
    spec.linux.maskedPaths = [...DEFAULT_MASKED_PATHS];
    spec.linux.readonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  return spec;
}

function buildMounts(input: OciSpecInput, ipc: IpcMode, initPath: string | undefined, privileged: boolean): OciMount[] {
  const defaults: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    // runc turns this into the container's view of the cgroup hierarchy (v1 or v2).
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];

  // The network files are writable unless the root is read-only, as in dockerd.
  const files = input.containerFiles ?? {};
  const writable = !input.readonlyRootfs;
  const binds = (
    [
      ['/etc/resolv.conf', files.resolvConf],
      ['/etc/hostname', files.hostname],
      ['/etc/hosts', files.hosts],
    ] as const
  ).flatMap(([dest, src]) => (src ? [bindMount(dest, src, writable)] : []));

  // /dev/shm: dockerd binds the host's (--ipc host) or a shareable container's directory,
  // mounts nothing for --ipc none, and a fresh tmpfs otherwise.
  const shmBind = input.shmPath ?? (ipc === 'host' ? '/dev/shm' : undefined);
  if (shmBind) binds.push(bindMount('/dev/shm', shmBind, true));
  else if (ipc !== 'none') {
    defaults.push({
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${input.shmSize ?? DEFAULT_SHM_SIZE}`],
    });
  }

  if (initPath) defaults.push({ destination: CONTAINER_INIT_PATH, type: 'bind', source: initPath, options: ['bind', 'ro'] });

  // The user's own mounts win over berth's files and over the defaults.
  const own = (input.mounts ?? []).map((m) => ({ ...m, ...(m.options ? { options: [...m.options] } : {}) }));
  const userDestinations = new Set(own.map((m) => m.destination));
  const user = [...binds.filter((m) => !userDestinations.has(m.destination)), ...own];
  const userDev = userDestinations.has('/dev');
  const kept = defaults.filter(
    (m) => !userDestinations.has(m.destination) && !(userDev && m.destination.startsWith('/dev/')),
  );

  if (input.readonlyRootfs) {
    for (const m of kept) {
      if (['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev'].includes(m.destination)) continue;
      if (!m.options?.includes('ro')) m.options = [...(m.options ?? []), 'ro'];
    }
  }
  if (privileged) {
    // A privileged container may write sysfs and its cgroups.
    for (const m of kept) {
      if (m.destination === '/sys' || m.type === 'cgroup') m.options = m.options?.filter((o) => o !== 'ro');
    }
  }

  // Parents before children (e.g. a volume at /etc before /etc/hosts); stable otherwise.
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  const sorted = user
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i)
    .map(({ m }) => m);
  return [...kept, ...sorted];
}

function bindMount(destination: string, source: string, writable: boolean): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', ...(writable ? [] : ['ro']), 'rprivate'] };
}

function buildSysctls(input: OciSpecInput, network: NetworkMode): Record<string, string> {
  const sysctl: Record<string, string> = {};
  // In a network namespace of its own, dockerd lets anyone ping and bind low ports,
  // which makes NET_RAW and NET_BIND_SERVICE unnecessary for most images.
  const ownNetns = network === 'private' || network === 'none' || (typeof network === 'object' && !network.shared);
  if (ownNetns) {
    sysctl['net.ipv4.ip_unprivileged_port_start'] = '0';
    sysctl['net.ipv4.ping_group_range'] = '0 2147483647';
  }
  if (input.domainname) sysctl['kernel.domainname'] = input.domainname;
  return { ...sysctl, ...(input.sysctls ?? {}) };
}

function buildNamespaces(network: NetworkMode, ipc: IpcMode, pid: PidMode, uts: UtsMode, cgroupns: CgroupnsMode): LinuxNamespace[] {
  const ns = (type: NamespaceType, mode: string | { path: string }): LinuxNamespace[] =>
    mode === 'host' ? [] : typeof mode === 'object' ? [{ type, path: mode.path }] : [{ type }];
  return [
    { type: 'mount' },
    ...ns('network', network),
    ...ns('uts', uts),
    ...ns('pid', pid),
    ...ns('ipc', ipc),
    ...(cgroupns === 'private' ? [{ type: 'cgroup' as const }] : []),
  ];
}

// ---- Capabilities ----

/** "net_admin", "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL". */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * Docker's TweakCapabilities: defaults minus drops plus adds; ALL in adds means every
 * capability but the dropped ones; ALL in drops means only the added ones. Unknown names
 * are a 400 with dockerd's text. `host`, when given, bounds what ALL can mean.
 */
export function resolveCapabilities(capAdd: string[], capDrop: string[], host?: readonly string[]): string[] {
  const adds = validate(capAdd, 'CapAdd');
  const drops = validate(capDrop, 'CapDrop');
  let caps: string[];
  if (adds.includes('ALL')) caps = grantable(ALL_CAPABILITIES, host).filter((c) => !drops.includes(c));
  else if (drops.includes('ALL')) caps = adds;
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds];
  return [...new Set(caps)];
}

function validate(names: string[], field: string): string[] {
  return names.map((name) => {
    const cap = normalizeCapability(name);
    if (cap !== 'ALL' && !ALL_CAPABILITIES.includes(cap)) {
      throw badParameter(`invalid ${field}: unknown capability: "${cap}"`);
    }
    return cap;
  });
}

function grantable(caps: readonly string[], host: readonly string[] | undefined): string[] {
  const allowed = host ?? hostCapabilities();
  return caps.filter((c) => allowed.includes(c));
}

let cachedHostCaps: string[] | undefined;

/** The capability names in this process's bounding set (CapBnd of /proc/self/status). */
export function hostCapabilities(): string[] {
  if (!cachedHostCaps) {
    let status = '';
    try {
      status = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return [...ALL_CAPABILITIES];
    }
    cachedHostCaps = capabilitiesFromMask(status.match(/^CapBnd:\s*([0-9a-f]+)$/m)?.[1] ?? '0');
  }
  return [...cachedHostCaps];
}

/** Names of the bits set in a hex capability mask such as "00000000a80425fb". */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

// ---- Host probes (for the defaults above) ----

/** The first init binary on the host, in INIT_CANDIDATES order. */
export function findInitBinary(candidates: readonly string[] = INIT_CANDIDATES): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw serverError(`no init binary found on the host (looked for ${candidates.join(', ')})`);
  return found;
}

/** 'private' on a pure cgroup v2 host, as dockerd 20.10 defaults; 'host' on v1/hybrid. */
export function defaultCgroupnsMode(): CgroupnsMode {
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'private' : 'host';
}

// Like runc's devices.HostDevices, which dockerd gives privileged containers: every
// device node under /dev, except the container's own pts/shm/mqueue and the console.
const SKIPPED_DEV_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

export function listHostDevices(dir = '/dev'): LinuxDevice[] {
  const out: LinuxDevice[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path, { bigint: true });
    } catch {
      continue; // gone meanwhile
    }
    if (st.isDirectory()) {
      if (!SKIPPED_DEV_DIRS.has(name)) out.push(...listHostDevices(path));
      continue;
    }
    if (name === 'console') continue;
    const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
    if (!type) continue;
    out.push({
      path,
      type,
      // glibc's major()/minor() of a 64-bit dev_t.
      major: Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn)),
      minor: Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn)),
      fileMode: Number(st.mode & 0o777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
    });
  }
  return out;
}

// ---- Environment ----

/**
 * The process environment dockerd builds (CreateDaemonEnvironment): PATH, HOSTNAME and,
 * with a TTY, TERM=xterm, overridden by the image's and the user's env. An entry without
 * '=' removes the variable, as in Docker's ReplaceOrAppendEnvValues.
 */
export function containerEnv(env: string[], opts: { hostname: string; tty?: boolean }): string[] {
  const base = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${opts.hostname}`];
  if (opts.tty) base.push('TERM=xterm');
  return replaceOrAppendEnv(base, env);
}

export function replaceOrAppendEnv(defaults: string[], overrides: string[]): string[] {
  const out: (string | null)[] = [...defaults];
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(e!.split('=')[0]!, i));
  for (const value of overrides) {
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    const at = index.get(key);
    if (eq < 0) {
      if (at !== undefined) out[at] = null;
      continue;
    }
    if (at !== undefined) out[at] = value;
    else {
      index.set(key, out.length);
      out.push(value);
    }
  }
  return out.filter((e): e is string => e !== null);
}
