// A container's resource usage from its cgroup's files, read as containerd's cgroups package
// reads them for dockerd's stats: cgroup v1 (a hierarchy per controller, as on hybrid hosts)
// or v2 (one unified tree). The cgroup is the one the container's init process is in.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BlkioStatEntry, BlkioStats, StatsJSON } from '../api/stats.js';

/** What the cgroup tells; the rest of a stats object (time, system CPU, networks) comes from elsewhere. */
export type CgroupStats = Pick<StatsJSON, 'pids_stats' | 'blkio_stats' | 'cpu_stats' | 'memory_stats'>;

/** Linux's USER_HZ: cpuacct.stat counts in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The memory.stat entries dockerd reports on cgroup v1. */
const V1_MEMORY_KEYS = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'hierarchical_memory_limit', 'hierarchical_memsw_limit',
  'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty', 'total_writeback', 'total_pgpgin', 'total_pgpgout',
  'total_pgfault', 'total_pgmajfault', 'total_inactive_anon', 'total_active_anon', 'total_inactive_file', 'total_active_file', 'total_unevictable',
];

/** The memory.stat entries dockerd reports on cgroup v2. */
const V2_MEMORY_KEYS = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp', 'inactive_anon',
  'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable', 'pgfault', 'pgmajfault',
  'workingset_refault', 'workingset_activate', 'workingset_nodereclaim', 'pgrefill', 'pgscan', 'pgsteal', 'pgactivate', 'pgdeactivate',
  'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
];

/** cgroup v1's blkio files (CFQ's, with a fallback to the throttle ones) and the stats field each fills. */
const CFQ_FILES: [string, keyof BlkioStats][] = [
  ['sectors_recursive', 'sectors_recursive'],
  ['io_service_bytes_recursive', 'io_service_bytes_recursive'],
  ['io_serviced_recursive', 'io_serviced_recursive'],
  ['io_queued_recursive', 'io_queue_recursive'],
  ['io_service_time_recursive', 'io_service_time_recursive'],
  ['io_wait_time_recursive', 'io_wait_time_recursive'],
  ['io_merged_recursive', 'io_merged_recursive'],
  ['time_recursive', 'io_time_recursive'],
];
const THROTTLE_FILES: [string, keyof BlkioStats][] = [
  ['throttle.io_serviced', 'io_serviced_recursive'],
  ['throttle.io_service_bytes', 'io_service_bytes_recursive'],
];

const isUnifiedHierarchy = existsSync('/sys/fs/cgroup/cgroup.controllers');
let v1Mounts: Promise<Map<string, { mountPoint: string; root: string }>> | undefined;

/** The stats of the cgroup process `pid` is in; rejects when the process is gone. */
export async function readCgroupStats(pid: number): Promise<CgroupStats> {
  // `<id>:<controllers>:<path>` lines; cgroup v2's is `0::<path>`.
  const memberships = (await readText(`/proc/${pid}/cgroup`)).split('\n').filter(Boolean).map((line) => line.split(':'));
  if (isUnifiedHierarchy) return readV2(path.join('/sys/fs/cgroup', memberships.find(([id]) => id === '0')?.[2] ?? ''));
  const mounts = await v1MountPoints();
  const dirs = new Map<string, string>();
  for (const [, controllers, cgroupPath] of memberships) {
    for (const controller of controllers.split(',')) {
      const mount = mounts.get(controller);
      if (mount) dirs.set(controller, path.join(mount.mountPoint, path.relative(mount.root, cgroupPath)));
    }
  }
  return readV1((controller) => {
    const dir = dirs.get(controller);
    if (!dir) throw new Error(`no ${controller} cgroup for process ${pid}`);
    return dir;
  });
}

const readText = (file: string) => readFile(file, 'utf8');
const readNumber = async (file: string) => Number((await readText(file)).trim());
/** A limit file: "max" (v2) is no limit, 0 as containerd reports it for pids. */
const readLimit = async (file: string) => {
  const text = (await readText(file)).trim();
  return text === 'max' ? 0 : Number(text);
};

/** `key value` lines (cpu.stat, memory.stat, cpuacct.stat). */
async function readKeyValues(file: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await readText(file)).split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}

/** controller → its hierarchy's mount point and the cgroup mounted there, from this process's mountinfo. */
function v1MountPoints(): Promise<Map<string, { mountPoint: string; root: string }>> {
  v1Mounts ??= readText('/proc/self/mountinfo').then((text) => {
    const mounts = new Map<string, { mountPoint: string; root: string }>();
    for (const line of text.split('\n')) {
      const [before, after] = line.split(' - ');
      const [fsType, , superOptions = ''] = (after ?? '').split(' ');
      if (fsType !== 'cgroup') continue;
      const [, , , root, mountPoint] = before.split(' ');
      for (const option of superOptions.split(',')) if (!mounts.has(option)) mounts.set(option, { mountPoint, root });
    }
    return mounts;
  });
  return v1Mounts;
}

async function readV1(dir: (controller: string) => string): Promise<CgroupStats> {
  const cpuacct = dir('cpuacct');
  const memory = dir('memory');
  const pids = dir('pids');
  const [total, perCpu, times, throttling, usage, maxUsage, failcnt, limit, memoryStat, pidsCurrent, pidsLimit, blkio] = await Promise.all([
    readNumber(path.join(cpuacct, 'cpuacct.usage')),
    readText(path.join(cpuacct, 'cpuacct.usage_percpu')).then((text) => text.trim().split(/\s+/).filter(Boolean).map(Number)),
    readKeyValues(path.join(cpuacct, 'cpuacct.stat')),
    readKeyValues(path.join(dir('cpu'), 'cpu.stat')),
    readNumber(path.join(memory, 'memory.usage_in_bytes')),
    readNumber(path.join(memory, 'memory.max_usage_in_bytes')),
    readNumber(path.join(memory, 'memory.failcnt')),
    readNumber(path.join(memory, 'memory.limit_in_bytes')),
    readKeyValues(path.join(memory, 'memory.stat')),
    readNumber(path.join(pids, 'pids.current')),
    readLimit(path.join(pids, 'pids.max')),
    readV1Blkio(dir('blkio')),
  ]);
  const ticksToNs = (ticks: number) => (ticks * 1e9) / CLOCK_TICKS_PER_SECOND;
  return {
    pids_stats: pidsStats(pidsCurrent, pidsLimit),
    blkio_stats: blkio,
    cpu_stats: {
      cpu_usage: {
        total_usage: total,
        percpu_usage: perCpu,
        usage_in_kernelmode: ticksToNs(times.get('system') ?? 0),
        usage_in_usermode: ticksToNs(times.get('user') ?? 0),
      },
      throttling_data: {
        periods: throttling.get('nr_periods') ?? 0,
        throttled_periods: throttling.get('nr_throttled') ?? 0,
        throttled_time: throttling.get('throttled_time') ?? 0,
      },
    },
    memory_stats: {
      usage,
      max_usage: maxUsage,
      stats: pick(memoryStat, V1_MEMORY_KEYS),
      ...(failcnt ? { failcnt } : {}),
      limit,
    },
  };
}

async function readV1Blkio(dir: string): Promise<BlkioStats> {
  const stats = emptyBlkio();
  const read = async (files: [string, keyof BlkioStats][]) => {
    for (const [file, field] of files) stats[field] = parseBlkio(await readText(path.join(dir, `blkio.${file}`)));
  };
  // CFQ's files exist only on kernels with that scheduler, and count only devices that use it.
  if (existsSync(path.join(dir, 'blkio.io_serviced_recursive'))) await read(CFQ_FILES);
  if (Object.values(stats).every((entries) => entries?.length === 0)) await read(THROTTLE_FILES);
  return stats;
}

/** `8:0 Read 4096` lines (a device's op and value; `8:0 4096` has no op), the `Total` line left out. */
function parseBlkio(text: string): BlkioStatEntry[] {
  const entries: BlkioStatEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(/[ :]+/).filter(Boolean);
    if (fields.length < 3) continue;
    const [major, minor] = fields.map(Number);
    entries.push({ major, minor, op: fields.length === 4 ? fields[2] : '', value: Number(fields[fields.length - 1]) });
  }
  return entries;
}

async function readV2(dir: string): Promise<CgroupStats> {
  const [cpu, usage, limit, memoryStat, memoryEvents, pidsCurrent, pidsLimit, io] = await Promise.all([
    readKeyValues(path.join(dir, 'cpu.stat')),
    readNumber(path.join(dir, 'memory.current')),
    readLimit(path.join(dir, 'memory.max')),
    readKeyValues(path.join(dir, 'memory.stat')),
    readKeyValues(path.join(dir, 'memory.events')),
    readNumber(path.join(dir, 'pids.current')),
    readLimit(path.join(dir, 'pids.max')),
    readText(path.join(dir, 'io.stat')).catch(() => ''),
  ]);
  const usecToNs = (key: string) => (cpu.get(key) ?? 0) * 1000;
  // `8:0 rbytes=1 wbytes=2 rios=3 ...`: dockerd reports the bytes read and written.
  const ioBytes: BlkioStatEntry[] = [];
  for (const line of io.split('\n').filter(Boolean)) {
    const [device, ...pairs] = line.split(' ');
    const [major, minor] = device.split(':').map(Number);
    const values = new Map(pairs.map((pair) => pair.split('=') as [string, string]));
    ioBytes.push({ major, minor, op: 'read', value: Number(values.get('rbytes') ?? 0) }, { major, minor, op: 'write', value: Number(values.get('wbytes') ?? 0) });
  }
  const oomKills = memoryEvents.get('oom') ?? 0;
  return {
    pids_stats: pidsStats(pidsCurrent, pidsLimit),
    blkio_stats: { ...emptyBlkio(), io_service_bytes_recursive: ioBytes },
    cpu_stats: {
      cpu_usage: { total_usage: usecToNs('usage_usec'), usage_in_kernelmode: usecToNs('system_usec'), usage_in_usermode: usecToNs('user_usec') },
      throttling_data: { periods: cpu.get('nr_periods') ?? 0, throttled_periods: cpu.get('nr_throttled') ?? 0, throttled_time: usecToNs('throttled_usec') },
    },
    // No limit ("max") is 0 here; dockerd reports the machine's memory for it, as for a limit above that.
    memory_stats: { usage, stats: pick(memoryStat, V2_MEMORY_KEYS), ...(oomKills ? { failcnt: oomKills } : {}), limit },
  };
}

function pidsStats(current: number, limit: number): CgroupStats['pids_stats'] {
  return { ...(current ? { current } : {}), ...(limit ? { limit } : {}) };
}

function pick(values: Map<string, number>, keys: string[]): Record<string, number> {
  return Object.fromEntries([...keys].sort().map((key) => [key, values.get(key) ?? 0]));
}

function emptyBlkio(): BlkioStats {
  return {
    io_service_bytes_recursive: [],
    io_serviced_recursive: [],
    io_queue_recursive: [],
    io_service_time_recursive: [],
    io_wait_time_recursive: [],
    io_merged_recursive: [],
    io_time_recursive: [],
    sectors_recursive: [],
  };
}
