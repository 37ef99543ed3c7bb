// Samples for GET /containers/{id}/stats, as dockerd's stats collector makes them: the
// container's cgroup, the host's CPU time and online CPUs (the base of the CPU percentage),
// and the interfaces of the container's network namespace.
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import type { CPUStats, NetworkStats, StatsJSON } from '../../api/stats.js';
import { readCgroupStats } from '../../runtime/cgroup-stats.js';
import type { ContainerRecord } from '../../store/container-store.js';
import { formatRfc3339Nano, nowNs } from './container-logs.js';

/** Go's zero time.Time: the read time of a container that is not running. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export const EMPTY_CPU_STATS: CPUStats = {
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
};

/** Linux's USER_HZ, the unit of /proc/stat. */
const CLOCK_TICKS_PER_SECOND = 100;

/** A sample of a container that is not running: zeros but for its name and id. */
export function emptyStats(record: ContainerRecord): StatsJSON {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: {
      io_service_bytes_recursive: null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: EMPTY_CPU_STATS,
    precpu_stats: EMPTY_CPU_STATS,
    memory_stats: {},
    name: record.name,
    id: record.id,
  };
}

/** A sample of the container now (its precpu_stats and preread are the caller's to fill). */
export async function sampleStats(record: ContainerRecord): Promise<StatsJSON> {
  if (!record.state.Running || record.state.Restarting) return emptyStats(record);
  const pid = record.state.Pid;
  let sampled;
  try {
    sampled = await Promise.all([readCgroupStats(pid), systemCpuUsage(), networkStats(record)]);
  } catch {
    return emptyStats(record); // it stopped meanwhile: its cgroup or process is gone
  }
  const [cgroup, systemUsage, networks] = sampled;
  const { cpu_usage, throttling_data } = cgroup.cpu_stats;
  // dockerd reports the machine's memory for no limit (or one above it).
  const machineMemory = os.totalmem();
  const limit = cgroup.memory_stats.limit;
  return {
    read: formatRfc3339Nano(nowNs()),
    preread: ZERO_TIME,
    pids_stats: cgroup.pids_stats,
    blkio_stats: cgroup.blkio_stats,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: { cpu_usage, system_cpu_usage: systemUsage, online_cpus: os.availableParallelism(), throttling_data },
    precpu_stats: EMPTY_CPU_STATS,
    memory_stats: { ...cgroup.memory_stats, limit: !limit || limit > machineMemory ? machineMemory : limit },
    name: record.name,
    id: record.id,
    ...(Object.keys(networks).length ? { networks } : {}),
  };
}

/** The host's CPU time in nanoseconds: the first seven fields of /proc/stat's `cpu` line. */
async function systemCpuUsage(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n').find((l) => l.startsWith('cpu '));
  const ticks = (line ?? '').trim().split(/\s+/).slice(1, 8).map(Number);
  if (ticks.length < 7) throw new Error('invalid number of cpu fields');
  return (ticks.reduce((a, b) => a + b, 0) * 1e9) / CLOCK_TICKS_PER_SECOND;
}

/** The container's interfaces but loopback, by name; none with the host's network. */
async function networkStats(record: ContainerRecord): Promise<Record<string, NetworkStats>> {
  if (record.hostConfig.NetworkMode === 'host') return {};
  const interfaces: [string, NetworkStats][] = [];
  // `  eth0: rx bytes packets errs drop fifo frame compressed multicast tx bytes packets errs drop ...`
  for (const line of (await readFile(`/proc/${record.state.Pid}/net/dev`, 'utf8')).split('\n').slice(2)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    if (colon < 0 || name === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    interfaces.push([name, { rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3], tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11] }]);
  }
  return Object.fromEntries(interfaces.sort(([a], [b]) => (a < b ? -1 : 1)));
}
