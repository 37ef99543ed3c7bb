// `docker top`: the host's `ps` output, kept to the container's processes, as dockerd 20.10
// does it (daemon/top_unix.go): the processes are those of the container's cgroup.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ContainerTopResponse } from '../../api/types.js';
import { serverError } from '../../common/errors.js';

/** Runs `ps` with `psArgs` (dockerd's default `-ef`) over the processes of the container whose init is `initPid`. */
export async function containerTop(initPid: number, psArgs: string): Promise<ContainerTopResponse> {
  const args = (psArgs || '-ef').split(' ');
  const pids = await cgroupPids(initPid);
  // `-q` makes ps read only these processes; some options (f) refuse it, so ps runs again without.
  const output = await runPs([...args, `-q${pids.join(',')}`]).catch(() => runPs(args));
  return parsePsOutput(output, new Set(pids));
}

/** dockerd refuses to name another column PID (`-o user=PID`): the filter would read that one. */
export function validatePsArgs(psArgs: string): void {
  for (const [, key, value] of psArgs.matchAll(/[\t\n\f\r ]+([^\t\n\f\r ]*)=[\t\n\f\r ]*(PID[^\t\n\f\r ]*)/g)) {
    if (key !== 'pid') throw serverError(`specifying "${key}=${value}" is not allowed`);
  }
}

function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      // As dockerd: the first line of ps's complaint, or how it ended.
      const reason = stderr.split('\n')[0] || (typeof err.code === 'number' ? `exit status ${err.code}` : err.message);
      reject(serverError(`ps: ${reason}`));
    });
  });
}

/**
 * The pids in the container's cgroup and those below it (as runc lists them), found from
 * its init process: the first hierarchy in /proc/<pid>/cgroup that is mounted, cgroup v1
 * (`/sys/fs/cgroup/<controllers>/...`) or v2 (`/sys/fs/cgroup/...`, or `unified/` on a hybrid host).
 */
async function cgroupPids(initPid: number): Promise<number[]> {
  const lines = (await fs.readFile(`/proc/${initPid}/cgroup`, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  for (const line of lines) {
    const [, controllers, cgroupPath] = /^[^:]*:([^:]*):(.*)$/.exec(line) ?? [];
    const mounts = controllers ? [controllers.replace(/^name=/, '')] : ['', 'unified'];
    for (const mount of mounts) {
      const dir = path.join('/sys/fs/cgroup', mount, cgroupPath ?? '');
      if (existsSync(path.join(dir, 'cgroup.procs'))) return pidsUnder(dir);
    }
  }
  throw serverError(`cannot find the cgroup of process ${initPid}`);
}

async function pidsUnder(dir: string): Promise<number[]> {
  const own = (await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
  const children = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
  const below = await Promise.all(children.map((e) => pidsUnder(path.join(dir, e.name))));
  return [...own, ...below.flat()];
}

/** Go's strings.Fields over ASCII white space only, as dockerd splits (fieldsASCII). */
const fields = (line: string) => line.split(/[\t\n\f\r ]+/).filter(Boolean);

/**
 * dockerd's parsePSOutput: the titles from the first line; a row is kept when its PID is
 * the container's, and so are the thread rows (PID `-`, from `m`) that follow a kept row.
 * Extra fields (a command's arguments) join the last column.
 */
function parsePsOutput(output: string, pids: Set<number>): ContainerTopResponse {
  const [header = '', ...lines] = output.split('\n');
  const titles = fields(header);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw serverError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  let keepingThreads = false;
  for (const line of lines) {
    if (line.length === 0) continue;
    const row = fields(line);
    const pid = row[pidIndex];
    if (pid !== '-') {
      if (!/^[+-]?\d+$/.test(pid ?? '')) throw serverError(`Unexpected pid '${pid ?? ''}': strconv.Atoi: parsing "${pid ?? ''}": invalid syntax`);
      keepingThreads = pids.has(Number(pid));
    }
    if (keepingThreads) processes.push([...row.slice(0, titles.length - 1), row.slice(titles.length - 1).join(' ')]);
  }
  return { Processes: processes, Titles: titles };
}
