// top, diff and export through the docker CLI, the berth CLI and the API, against a berthd of
// this file's own: the container's processes only, dockerd's change semantics (parents of
// changes modified, whiteouts and opaque directories as deletions, the runtime's mount
// targets hidden), and the merged file system of running and stopped containers as a tar.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, runCommand, startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';
import { waitUntil } from '../helpers/wait.js';

let daemon: TestDaemon;

before(async () => {
  daemon = await startDaemonWithBusybox();
});

after(async () => {
  await daemon?.stop();
});

function ok(args: string[]): string {
  const r = daemon.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function berthOk(args: string[]): string {
  const r = daemon.berth(args);
  assert.equal(r.code, 0, `berth ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A container that ran `script` to its end, for its changes. */
function ranToEnd(name: string, script: string, image = 'busybox'): string {
  ok(['run', '--name', name, image, 'sh', '-c', script]);
  return ok(['inspect', '-f', '{{.Id}}', name]).trim();
}

const BERTH = path.join(ROOT, 'bin/berth');

const tarNames = (archive: Buffer) => execFileSync('tar', ['-t'], { input: archive }).toString().trim().split('\n');
const tarFile = (archive: Buffer, name: string) => execFileSync('tar', ['-xO', name], { input: archive }).toString();

/** The exports' own mounts, which must be gone once an archive is done or abandoned. */
function exportMounts(): string[] {
  const dir = path.join(daemon.execRoot, 'exports');
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((line) => line.split(' ')[1]?.startsWith(dir));
}

describe('top', () => {
  before(() => ok(['run', '-d', '--name', 'toppy', 'busybox', 'sh', '-c', 'sleep 1000 & sleep 2000']));

  test("lists the container's processes with ps -ef's columns, as the docker CLI and berth print them", async () => {
    const initPid = Number(ok(['inspect', '-f', '{{.State.Pid}}', 'toppy']).trim());
    const top = await daemon.api('GET', '/containers/toppy/top');
    assert.equal(top.status, 200);
    assert.deepEqual(top.body.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    assert.deepEqual(
      top.body.Processes.map((p: string[]) => p[7]).sort(),
      ['sleep 1000', 'sleep 2000'],
    );
    assert.ok(top.body.Processes.some((p: string[]) => Number(p[1]) === initPid));
    // berthd itself, conmon and the host's other processes stay out.
    assert.ok(!top.body.Processes.some((p: string[]) => Number(p[1]) === daemon.pid));
    for (const out of [ok(['top', 'toppy']), berthOk(['top', 'toppy']), berthOk(['container', 'top', 'toppy'])]) {
      const lines = out.trimEnd().split('\n');
      assert.equal(lines[0], 'UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD');
      assert.equal(lines.length, 3);
    }
  });

  test('passes ps options through: the same table from docker and berth, exec processes included', () => {
    ok(['exec', '-d', 'toppy', 'sleep', '3000']);
    const docker = ok(['top', 'toppy', '-o', 'pid,args']);
    assert.equal(berthOk(['top', 'toppy', '-o', 'pid,args']), docker);
    const lines = docker.trimEnd().split('\n');
    assert.match(lines[0], /^PID {17}COMMAND$/);
    assert.deepEqual(lines.slice(1).map((l) => l.replace(/^\d+ +/, '')).sort(), ['sleep 1000', 'sleep 2000', 'sleep 3000']);
  });

  test("ps's failures and dockerd's refusals come back as dockerd words them", async () => {
    const noPid = daemon.docker(['top', 'toppy', '-o', 'comm']);
    assert.equal(noPid.code, 1);
    assert.equal(noPid.stderr.trim(), "Error response from daemon: Couldn't find PID field in ps output");
    const badOption = await daemon.api('GET', `/containers/toppy/top?ps_args=${encodeURIComponent('--bogus')}`);
    assert.equal(badOption.status, 500);
    assert.match(badOption.body.message, /^ps: error: unknown gnu long option/);
    const renamed = await daemon.api('GET', `/containers/toppy/top?ps_args=${encodeURIComponent('-o user=PID,pid')}`);
    assert.equal(renamed.status, 500);
    assert.equal(renamed.body.message, 'specifying "user=PID,pid" is not allowed');
  });

  test('a stopped container has no processes to show: 409, and an unknown one is a 404', async () => {
    const stopped = ranToEnd('top-stopped', 'true');
    const api = await daemon.api('GET', '/containers/top-stopped/top');
    assert.equal(api.status, 409);
    assert.equal(api.body.message, `Container ${stopped} is not running`);
    for (const r of [daemon.docker(['top', 'top-stopped']), daemon.berth(['top', 'top-stopped'])]) {
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `Error response from daemon: Container ${stopped} is not running`);
    }
    const missing = await daemon.api('GET', '/containers/x/top');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'No such container: x');
  });
});

describe('diff', () => {
  test('a fresh container changed nothing: the runtime mount targets it got do not count', async () => {
    ranToEnd('diff-fresh', 'true');
    const api = await daemon.api('GET', '/containers/diff-fresh/changes');
    assert.equal(api.status, 200);
    assert.equal(api.raw.toString().trim(), 'null');
    assert.equal(ok(['diff', 'diff-fresh']), '');
    assert.equal(berthOk(['diff', 'diff-fresh']), '');
  });

  test('added, modified and deleted entries in nested dirs, parents modified, in the same order from docker and berth', async () => {
    ranToEnd('diff-changes', 'mkdir -p /a/b/c && echo hi > /a/b/c/d && echo x >> /etc/passwd && touch /etc/new && rm /bin/ls && rm -r /home && touch /tmp/gone && rm /tmp/gone');
    const expected = ['A /a', 'A /a/b', 'A /a/b/c', 'A /a/b/c/d', 'C /bin', 'D /bin/ls', 'C /etc', 'A /etc/new', 'C /etc/passwd', 'D /home'].join('\n') + '\n';
    assert.equal(ok(['diff', 'diff-changes']), expected);
    assert.equal(berthOk(['diff', 'diff-changes']), expected);
    assert.equal(berthOk(['container', 'diff', 'diff-changes']), expected);
    const api = await daemon.api('GET', '/containers/diff-changes/changes');
    assert.deepEqual(api.body.slice(0, 2), [{ Path: '/a', Kind: 1 }, { Path: '/a/b', Kind: 1 }]);
    assert.deepEqual(api.body.find((c: { Path: string }) => c.Path === '/home'), { Path: '/home', Kind: 2 });
  });

  test("a directory deleted and made again (opaque) shows the image's entries it lacks as deleted", () => {
    ranToEnd('diff-base', 'mkdir -p /x/y /z && touch /x/a /x/b /x/y/c /z/q');
    ok(['commit', 'diff-base', 'diff-base-image']);
    ranToEnd('diff-opaque', 'rm -rf /x && mkdir /x && touch /x/new && echo a > /x/a && chmod 700 /z', 'diff-base-image');
    const expected = ['C /x', 'C /x/a', 'A /x/new', 'D /x/b', 'D /x/y', 'C /z'].join('\n') + '\n';
    assert.equal(ok(['diff', 'diff-opaque']), expected);
    assert.equal(berthOk(['diff', 'diff-opaque']), expected);
  });

  test('a running container shows its changes too; an unknown one is a 404', async () => {
    ok(['run', '-d', '--name', 'diff-running', 'busybox', 'sleep', '1000']);
    ok(['exec', 'diff-running', 'mkdir', '/run-dir']);
    assert.equal(ok(['diff', 'diff-running']), 'A /run-dir\n');
    const missing = await daemon.api('GET', '/containers/x/changes');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'No such container: x');
    const r = daemon.berth(['diff', 'x']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error response from daemon: No such container: x');
  });
});

describe('export', () => {
  test('a stopped container: its image with its changes, through docker, berth and the API', async () => {
    ranToEnd('export-stopped', 'echo changed > /etc/motd && rm /bin/ls && mkdir -p /a/b && echo deep > /a/b/f');
    const api = await daemon.api('GET', '/containers/export-stopped/export');
    assert.equal(api.status, 200);
    const names = tarNames(api.raw);
    for (const name of ['bin/', 'bin/busybox', 'etc/passwd', 'etc/motd', 'a/', 'a/b/', 'a/b/f']) assert.ok(names.includes(name), `${name} in the export`);
    assert.ok(!names.includes('bin/ls'));
    assert.ok(!names.some((n) => n.startsWith('./') || n.startsWith('/')), 'names are relative, as dockerd writes them');
    assert.equal(tarFile(api.raw, 'etc/motd'), 'changed\n');
    assert.equal(tarFile(api.raw, 'a/b/f'), 'deep\n');

    const fromDocker = execFileSync('docker', ['export', 'export-stopped'], { env: { ...process.env, DOCKER_HOST: daemon.host }, maxBuffer: 1 << 28 });
    assert.deepEqual(tarNames(fromDocker), names);
    const dir = mkdtempSync(path.join(daemon.dir, 'export-'));
    const file = path.join(dir, 'out.tar');
    berthOk(['export', '-o', file, 'export-stopped']);
    assert.deepEqual(tarNames(readFileSync(file)), names);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['out.tar'], 'no temporary file left');
    await waitUntil(() => exportMounts().length === 0, 'the export mounts to go');
  });

  test('a running container: what it wrote so far, and the mount released after a reader gone mid-way', async () => {
    ok(['run', '-d', '--name', 'export-running', 'busybox', 'sleep', '1000']);
    ok(['exec', 'export-running', 'sh', '-c', 'echo live > /tmp/live']);
    const archive = execFileSync('docker', ['export', 'export-running'], { env: { ...process.env, DOCKER_HOST: daemon.host }, maxBuffer: 1 << 28 });
    assert.equal(tarFile(archive, 'tmp/live'), 'live\n');
    const cut = runCommand('bash', ['-c', `node ${BERTH} -H ${daemon.host} export export-running | head -c 1000 | wc -c`], {}, {});
    assert.equal(cut.stdout.trim(), '1000');
    await waitUntil(() => exportMounts().length === 0, 'the export mount to go');
    assert.equal(ok(['inspect', '-f', '{{.State.Running}}', 'export-running']).trim(), 'true');
  });

  test('bad output paths, a terminal and an unknown container fail as docker fails', () => {
    ranToEnd('export-errors', 'true');
    for (const [output, message] of [
      [daemon.dir, 'failed to export container: cannot write to a directory'],
      ['/nonexistent/out.tar', 'failed to export container: invalid output path: stat /nonexistent: no such file or directory'],
    ]) {
      const docker = daemon.docker(['export', '-o', output, 'export-errors']);
      const berth = daemon.berth(['export', '-o', output, 'export-errors']);
      assert.equal(docker.stderr.trim(), message);
      assert.equal(berth.stderr.trim(), message);
      assert.equal(berth.code, docker.code);
    }
    const tty = runCommand('script', ['-qec', `node ${BERTH} -H ${daemon.host} export export-errors`, '/dev/null'], {}, {});
    assert.match(tty.stdout, /cowardly refusing to save to a terminal\. Use the -o flag or redirect/);
    const missing = daemon.berth(['export', 'x']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'Error response from daemon: No such container: x');
  });
});
