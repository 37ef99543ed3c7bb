// docker stats against a berthd of this file's own: the table of the docker CLI and the berth
// CLI for a busy container, the API's JSON through dockerode (cgroup, CPU base, network
// namespace), streaming and one-shot samples, a stopped container's zeros, and errors.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import type { StatsJSON } from '../../src/api/stats.js';
import { startDaemonWithBusybox, type RunResult, type TestDaemon } from '../helpers/daemon.js';

let daemon: TestDaemon;

before(async () => {
  daemon = await startDaemonWithBusybox();
  ok(daemon.docker(['run', '-d', '--name', 'busy', 'busybox', 'sh', '-c', 'while :; do :; done']));
  // Some traffic through its interface: pings to the bridge's gateway.
  ok(daemon.docker(['exec', 'busy', 'sh', '-c', 'ping -c 2 -W 1 $(ip route | awk "/default/ {print \\$3}")']));
  ok(daemon.docker(['create', '--name', 'stopped', 'busybox', 'true']));
});

after(async () => {
  await daemon?.stop();
});

function ok(r: RunResult): string {
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const HEADER = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];

/** The rows of docker's table, split at its columns (two spaces or more). */
function rows(table: string): string[][] {
  return table.trimEnd().split('\n').map((line) => line.split(/ {2,}/));
}

/** docker's sizes ("1.5kB", "796KiB") in bytes. */
function bytes(size: string): number {
  const m = /^([\d.]+)(B|kB|MB|GB|KiB|MiB|GiB)$/.exec(size);
  assert.ok(m, `a size: ${size}`);
  const units: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
  return Number(m[1]) * units[m[2]];
}

/** GET /containers/{id}/stats with a raw query; the objects as they come, until the stream ends or `count` came. */
function statsObjects(query: string, count = Infinity): Promise<{ status: number; headers: http.IncomingHttpHeaders; objects: any[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: daemon.socket, path: `/v1.41/containers/busy/stats?${query}` }, (res) => {
      const objects: any[] = [];
      let buffered = '';
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, objects });
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          objects.push(JSON.parse(buffered.slice(0, nl)));
          buffered = buffered.slice(nl + 1);
          if (objects.length >= count) {
            req.destroy();
            done();
            return;
          }
        }
      });
      res.on('end', done);
    });
    req.on('error', reject);
  });
}

describe('docker stats --no-stream', () => {
  for (const cli of ['docker', 'berth'] as const) {
    test(`${cli}: a busy container's CPU, memory, network and processes; a stopped one's zeros`, () => {
      const out = ok(daemon[cli](['stats', '--no-stream', 'busy', 'stopped']));
      const [header, busy, stopped] = rows(out);
      assert.deepEqual(header, HEADER);
      const [id, name, cpu, memory, memoryPercent, net, block, pids] = busy;
      assert.match(id, /^[0-9a-f]{12}$/);
      assert.equal(name, 'busy');
      assert.ok(parseFloat(cpu) > 10, `CPU % ${cpu}`);
      const [used, limit] = memory.split(' / ');
      assert.ok(bytes(used) > 0 && bytes(limit) >= bytes(used), memory);
      assert.match(memoryPercent, /^\d+\.\d\d%$/);
      assert.ok(bytes(net.split(' / ')[0]) > 0 && bytes(net.split(' / ')[1]) > 0, `NET I/O ${net}`);
      assert.match(block, /^[\d.]+[kMG]?B \/ [\d.]+[kMG]?B$/);
      assert.ok(Number(pids) >= 1, `PIDS ${pids}`);
      assert.deepEqual(stopped.slice(1), ['stopped', '0.00%', '0B / 0B', '0.00%', '0B / 0B', '0B / 0B', '0']);
    });
  }

  test('berth: --all, --format, --no-trunc, and errors', () => {
    const all = ok(daemon.berth(['stats', '--no-stream', '--all', '--format', '{{.Name}} {{.PIDs}}']));
    assert.deepEqual(all.trim().split('\n').sort(), ['busy 1', 'stopped 0']);
    assert.equal(ok(daemon.berth(['stats', '--no-stream', '--format', '{{.Name}}'])), 'busy\n');
    const id = ok(daemon.docker(['inspect', '-f', '{{.Id}}', 'busy'])).trim();
    assert.equal(ok(daemon.berth(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}} {{.Container}}', 'busy'])), `${id} busy\n`);
    const json = JSON.parse(ok(daemon.berth(['stats', '--no-stream', '--format', 'json', 'stopped'])));
    assert.deepEqual(Object.keys(json), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
    for (const cli of ['docker', 'berth'] as const) {
      const missing = daemon[cli](['stats', '--no-stream', 'nosuch']);
      assert.deepEqual([missing.code, missing.stderr], [1, 'Error response from daemon: No such container: nosuch\n'], cli);
    }
  });
});

describe('GET /containers/{id}/stats', () => {
  test('dockerode stream:false: the v1.41 fields, from the cgroup and the network namespace', async () => {
    const docker = new Docker({ socketPath: daemon.socket });
    const stats = (await docker.getContainer('busy').stats({ stream: false })) as unknown as StatsJSON;
    assert.deepEqual(Object.keys(stats), [
      'read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'name', 'id', 'networks',
    ]);
    assert.equal(stats.name, '/busy');
    assert.ok(Date.parse(stats.read) - Date.parse(stats.preread) >= 900, 'a second between the samples');
    assert.ok((stats.pids_stats.current ?? 0) >= 1);
    const { cpu_stats: cpu, precpu_stats: precpu } = stats;
    assert.ok(cpu.cpu_usage.total_usage > precpu.cpu_usage.total_usage && precpu.cpu_usage.total_usage > 0);
    assert.ok(cpu.cpu_usage.usage_in_usermode > 0);
    assert.ok((cpu.system_cpu_usage ?? 0) > (precpu.system_cpu_usage ?? 0));
    assert.ok((cpu.online_cpus ?? 0) >= 1);
    assert.deepEqual(Object.keys(cpu.throttling_data), ['periods', 'throttled_periods', 'throttled_time']);
    if (cpu.cpu_usage.percpu_usage) assert.equal(cpu.cpu_usage.percpu_usage.reduce((a, b) => a + b, 0), cpu.cpu_usage.total_usage);
    const memory = stats.memory_stats;
    assert.ok((memory.usage ?? 0) > 0 && (memory.limit ?? 0) >= (memory.usage ?? 0));
    assert.ok('inactive_file' in (memory.stats ?? {}));
    assert.ok(Array.isArray(stats.blkio_stats.io_service_bytes_recursive));
    assert.deepEqual(Object.keys(stats.networks ?? {}), ['eth0']);
    assert.ok(stats.networks!.eth0.rx_packets >= 2 && stats.networks!.eth0.tx_packets >= 2);
  });

  test('stream: a sample a second, each with the one before it; one-shot: at once, without', async () => {
    const streamed = await statsObjects('stream=1', 3);
    assert.equal(streamed.status, 200);
    assert.equal(streamed.objects[0].preread, '0001-01-01T00:00:00Z');
    assert.equal(streamed.objects[1].preread, streamed.objects[0].read);
    assert.deepEqual(streamed.objects[2].precpu_stats, streamed.objects[1].cpu_stats);
    const started = Date.now();
    const oneShot = await statsObjects('stream=0&one-shot=1');
    assert.ok(Date.now() - started < 900, 'one-shot does not wait for a second sample');
    assert.equal(oneShot.headers['content-type'], 'application/json');
    assert.equal(oneShot.objects.length, 1);
    assert.equal(oneShot.objects[0].precpu_stats.cpu_usage.total_usage, 0);
    const both = await daemon.api('GET', '/containers/busy/stats?stream=1&one-shot=1');
    assert.deepEqual([both.status, both.body], [400, { message: 'cannot have stream=true and one-shot=true' }]);
  });

  test('a stopped container: zeros with its name and id, as dockerd', async () => {
    const r = await daemon.api('GET', '/containers/stopped/stats?stream=0');
    assert.equal(r.status, 200);
    assert.equal(r.body.read, '0001-01-01T00:00:00Z');
    assert.equal(r.body.name, '/stopped');
    assert.deepEqual(r.body.memory_stats, {});
    assert.deepEqual(r.body.pids_stats, {});
    assert.equal(r.body.blkio_stats.io_service_bytes_recursive, null);
    assert.deepEqual(r.body.cpu_stats, { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });
    assert.equal((await daemon.api('GET', '/containers/nosuch/stats?stream=0')).status, 404);
  });

  test('a stream ends when its container is removed', async () => {
    ok(daemon.docker(['run', '-d', '--name', 'brief', 'busybox', 'sleep', '600']));
    const streaming = new Promise<number>((resolve, reject) => {
      http.get({ socketPath: daemon.socket, path: '/containers/brief/stats' }, (res) => {
        let objects = 0;
        res.on('data', (chunk: Buffer) => (objects += chunk.toString().split('\n').length - 1));
        res.on('end', () => resolve(objects));
      }).on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 1500));
    ok(daemon.docker(['rm', '-f', 'brief']));
    assert.ok((await streaming) >= 1);
  });
});
