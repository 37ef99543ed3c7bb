// berth stats / container stats: docker's table of containers' resource usage, its figures
// worked out from the daemon's samples as the docker CLI works them out (stats_helpers.go).
import { setTimeout as delay } from 'node:timers/promises';
import type { BlkioStats, MemoryStats, StatsJSON } from '../../../api/stats.js';
import type { EngineClient } from '../../../client/client.js';
import { jsonLines, jsonMessages } from '../../../client/json-stream.js';
import { bytesSize, humanSize, truncateId } from '../../../common/units.js';
import { FORMAT_HELP, boolFlag, stringFlag, type Cli, type Command } from '../../command.js';
import { rowContext, writeFormatted } from '../../util/output.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
const HEADERS: Record<string, string> = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};
const GO_TYPE = '*container.statsContext';
/** A streamed container without a sample for this long shows "--", as in docker. */
const STALE_AFTER_MS = 2000;
const REDRAW_INTERVAL_MS = 500;
/** How long docker waits before it reports the containers it could not get stats of. */
const NAMED_ERRORS_AFTER_MS = 1500;

/** One container's figures (docker's StatsEntry). */
export interface StatsEntry {
  /** The container as the user named it (or its short id). */
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** No figures to show (no sample in time): "--". */
  invalid: boolean;
}

function noFigures(container: string): StatsEntry {
  return {
    container, name: '', id: '', cpuPercentage: 0, memory: 0, memoryLimit: 0, memoryPercentage: 0,
    networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pidsCurrent: 0, invalid: false,
  };
}

/** The container's share of the host's CPU time since the sample before, times the CPUs it may use. */
function cpuPercent(v: StatsJSON): number {
  const cpuDelta = v.cpu_stats.cpu_usage.total_usage - v.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (v.cpu_stats.system_cpu_usage ?? 0) - (v.precpu_stats.system_cpu_usage ?? 0);
  const onlineCpus = v.cpu_stats.online_cpus || (v.cpu_stats.cpu_usage.percpu_usage?.length ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;
}

/** Memory in use without the page cache the kernel can drop (inactive files: total_ on cgroup v1). */
function memoryWithoutCache(mem: MemoryStats): number {
  const usage = mem.usage ?? 0;
  const v1InactiveFile = mem.stats?.total_inactive_file;
  if (v1InactiveFile !== undefined && v1InactiveFile < usage) return usage - v1InactiveFile;
  const inactiveFile = mem.stats?.inactive_file ?? 0;
  return inactiveFile < usage ? usage - inactiveFile : usage;
}

function blockIo(blkio: BlkioStats): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of blkio.io_service_bytes_recursive ?? []) {
    const op = entry.op[0]?.toLowerCase();
    if (op === 'r') read += entry.value;
    else if (op === 'w') write += entry.value;
  }
  return { read, write };
}

export function statsEntry(container: string, v: StatsJSON): StatsEntry {
  const memory = memoryWithoutCache(v.memory_stats);
  const memoryLimit = v.memory_stats.limit ?? 0;
  const networks = Object.values(v.networks ?? {});
  const blocks = blockIo(v.blkio_stats);
  return {
    container,
    name: v.name ?? '',
    id: v.id ?? '',
    cpuPercentage: cpuPercent(v),
    memory,
    memoryLimit,
    memoryPercentage: memoryLimit ? (memory / memoryLimit) * 100 : 0,
    networkRx: networks.reduce((sum, n) => sum + n.rx_bytes, 0),
    networkTx: networks.reduce((sum, n) => sum + n.tx_bytes, 0),
    blockRead: blocks.read,
    blockWrite: blocks.write,
    pidsCurrent: v.pids_stats.current ?? 0,
    invalid: false,
  };
}

/** The fields templates see (docker's statsContext). */
export function statsContext(e: StatsEntry, trunc: boolean): Record<string, string> {
  const unless = (text: string, invalid = '--') => (e.invalid ? invalid : text);
  return rowContext({
    Container: e.container,
    Name: e.name.length > 1 ? e.name.slice(1) : '--',
    ID: trunc ? truncateId(e.id) : e.id,
    CPUPerc: unless(`${e.cpuPercentage.toFixed(2)}%`),
    MemUsage: unless(`${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`, '-- / --'),
    MemPerc: unless(`${e.memoryPercentage.toFixed(2)}%`),
    NetIO: unless(`${humanSize(e.networkRx, 3)} / ${humanSize(e.networkTx, 3)}`),
    BlockIO: unless(`${humanSize(e.blockRead, 3)} / ${humanSize(e.blockWrite, 3)}`),
    PIDs: unless(String(e.pidsCurrent)),
  });
}

/** A container followed while the table is redrawn: its latest figures and when they came. */
interface Followed {
  entry: StatsEntry;
  updated: number;
  error?: Error;
}

class StatsTable {
  readonly followed: Followed[] = [];

  constructor(private readonly client: EngineClient) {}

  /** Starts following a container (once), updating its figures with each sample the daemon streams. */
  follow(container: string): void {
    if (this.followed.some((f) => f.entry.container === container)) return;
    const followed: Followed = { entry: noFigures(container), updated: Date.now() };
    this.followed.push(followed);
    void (async () => {
      try {
        for await (const line of jsonLines(await this.client.containerStats(container, true))) {
          followed.entry = statsEntry(container, JSON.parse(line) as StatsJSON);
          followed.updated = Date.now();
        }
      } catch (err) {
        followed.error = err as Error;
      }
    })();
  }

  forget(container: string): void {
    const i = this.followed.findIndex((f) => f.entry.container === container);
    if (i >= 0) this.followed.splice(i, 1);
  }

  entries(now: number): StatsEntry[] {
    return this.followed.map((f) => (now - f.updated > STALE_AFTER_MS ? { ...noFigures(f.entry.container), invalid: true } : f.entry));
  }
}

/** One sample of a container, with the one a second before it as its base. */
async function sampleOnce(client: EngineClient, container: string): Promise<StatsEntry> {
  for await (const v of jsonMessages<StatsJSON>(await client.containerStats(container, false))) return statsEntry(container, v);
  throw new Error('unexpected EOF');
}

/** docker stats without CONTAINER and --no-stream: new containers join as they start (or are created, with --all). */
async function followEvents(cli: Cli, table: StatsTable, all: boolean): Promise<void> {
  for await (const { event } of cli.client().events({ filters: new Map([['type', ['container']]]) })) {
    const id = (event.Actor?.ID ?? event.id ?? '').slice(0, 12);
    if (event.Action === 'start' || (all && event.Action === 'create')) table.follow(id);
    else if (event.Action === 'die' && !all) table.forget(id);
  }
}

export const statsCommand: Command = {
  name: 'stats',
  use: '[OPTIONS] [CONTAINER...]',
  short: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    boolFlag('all', 'a', 'Show all containers (default shows just running)'),
    stringFlag('format', undefined, FORMAT_HELP),
    boolFlag('no-stream', undefined, 'Disable streaming stats and only pull the first result'),
    boolFlag('no-trunc', undefined, "Don't truncate output"),
  ],
  async run(cli, flags, names) {
    const client = cli.client();
    const all = flags.bool('all');
    const trunc = !flags.bool('no-trunc');
    const format = !flags.string('format') || flags.string('format') === 'table' ? DEFAULT_TABLE : flags.string('format');
    const write = (entries: StatsEntry[]) => writeFormatted(cli, format, entries.map((e) => statsContext(e, trunc)), HEADERS, GO_TYPE);
    const showAll = names.length === 0;

    if (flags.bool('no-stream')) {
      const targets = showAll ? (await client.containerList({ all })).map((c) => truncateId(c.Id)) : names;
      const samples = await Promise.allSettled(targets.map((container) => sampleOnce(client, container)));
      const errors = samples.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
      if (!showAll && errors.length) throw new Error(errors.join('\n'));
      write(samples.map((s, i) => (s.status === 'fulfilled' ? s.value : noFigures(targets[i]))));
      return;
    }

    const table = new StatsTable(client);
    if (showAll) {
      void followEvents(cli, table, all).catch(() => undefined);
      for (const c of await client.containerList({ all })) table.follow(truncateId(c.Id));
    } else {
      for (const name of names) table.follow(name);
      // Give the named containers a moment to answer, then report those that could not.
      await delay(NAMED_ERRORS_AFTER_MS);
      const errors = table.followed.flatMap((f) => (f.error ? [f.error.message] : []));
      if (errors.length) throw new Error(errors.join('\n'));
    }
    for (;;) {
      cli.out.write('\x1b[2J\x1b[H');
      write(table.entries(Date.now()));
      if (!showAll && table.followed.length === 0) return;
      await delay(REDRAW_INTERVAL_MS);
    }
  },
};
