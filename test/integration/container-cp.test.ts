// docker cp against a berthd of this file's own, through the docker CLI and the berth CLI:
// files, directories and tar streams into and out of running and stopped containers, ownership
// with -a, binds, docker's errors, and tars that try to write outside the container's root.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tar from 'tar-stream';
import { ROOT, runCommand, startDaemonWithBusybox, type RunResult, type TestDaemon } from '../helpers/daemon.js';

let daemon: TestDaemon;
let local: string;

before(async () => {
  daemon = await startDaemonWithBusybox();
  local = mkdtempSync(path.join(daemon.dir, 'local-'));
});

after(async () => {
  await daemon?.stop();
});

type Cli = 'docker' | 'berth';
const CLIS: Cli[] = ['docker', 'berth'];

function run(cli: Cli, args: string[], input?: string): RunResult {
  return cli === 'docker' ? daemon.docker(args, { input }) : daemon.berth(args, { input });
}

function ok(cli: Cli, args: string[]): string {
  const r = run(cli, args);
  assert.equal(r.code, 0, `${cli} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A shell pipeline with DOCKER_HOST set and `berth` meaning this daemon's berth CLI. */
function shell(script: string): RunResult {
  const berth = `node ${path.join(ROOT, 'bin/berth')} -H ${daemon.host}`;
  return runCommand('bash', ['-c', `berth() { ${berth} "$@"; }; ${script}`], { DOCKER_HOST: daemon.host }, {});
}

/** A local directory tree: a/file, a/sub/deep, a/link -> file. */
function localTree(name: string): string {
  const dir = path.join(local, name);
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'file'), 'file content\n');
  writeFileSync(path.join(dir, 'sub', 'deep'), 'deep content\n');
  symlinkSync('file', path.join(dir, 'link'));
  return dir;
}

/** The host path of a path in a container's own layer (what the container wrote). */
function upperPath(container: string, containerPath: string): string {
  const id = ok('docker', ['inspect', '-f', '{{.Id}}', container]).trim();
  return path.join(daemon.dataRoot, 'containers', id, 'rootfs', 'upper', containerPath);
}

function isMounted(dir: string): boolean {
  return readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === dir);
}

async function tarOf(entries: { name: string; type?: 'file' | 'symlink' | 'directory' | 'link'; content?: string; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'link' || e.type === 'directory') pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else pack.entry({ name: e.name, mode: 0o644 }, e.content ?? 'x');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function put(container: string, containerPath: string, body: Buffer, query = '') {
  return daemon.api('PUT', `/containers/${container}/archive?path=${encodeURIComponent(containerPath)}${query}`, body, { 'Content-Type': 'application/x-tar' });
}

describe('docker cp into and out of a running container', () => {
  before(() => {
    ok('docker', ['run', '-d', '--name', 'running', 'busybox', 'sleep', '600']);
    ok('docker', ['exec', 'running', 'sh', '-c', 'mkdir -p /data && echo inside > /data/in.txt && ln -s /data /datalink']);
  });

  for (const cli of CLIS) {
    test(`${cli}: a file and a directory in, as docker names them`, () => {
      const tree = localTree(`tree-in-${cli}`);
      ok(cli, ['cp', path.join(tree, 'file'), `running:/data/${cli}-file`]);
      ok(cli, ['cp', tree, `running:/data/${cli}-dir`]);
      // Into an existing directory: the source keeps its name; through a symlink to a directory too.
      ok(cli, ['cp', path.join(tree, 'file'), 'running:/tmp']);
      ok(cli, ['cp', tree, 'running:/datalink']);
      const listing = ok('docker', ['exec', 'running', 'sh', '-c',
        `cat /data/${cli}-file /data/${cli}-dir/sub/deep /tmp/file; readlink /data/${cli}-dir/link; ls /data/tree-in-${cli}`]);
      assert.equal(listing, `file content\ndeep content\nfile content\nfile\nfile\nlink\nsub\n`);
    });

    test(`${cli}: a file and a directory out, and the contents of a directory with /.`, () => {
      const out = path.join(local, `out-${cli}`);
      mkdirSync(out);
      ok(cli, ['cp', 'running:/data/in.txt', path.join(out, 'renamed.txt')]);
      ok(cli, ['cp', 'running:/data', out]);
      ok(cli, ['cp', 'running:/data/.', path.join(out, 'contents')]);
      assert.equal(readFileSync(path.join(out, 'renamed.txt'), 'utf8'), 'inside\n');
      assert.equal(readFileSync(path.join(out, 'data', 'in.txt'), 'utf8'), 'inside\n');
      assert.equal(readFileSync(path.join(out, 'contents', 'in.txt'), 'utf8'), 'inside\n');
      // A symlink is copied as one; with -L, what it points to, under the link's name.
      ok(cli, ['cp', 'running:/datalink', path.join(out, 'asis')]);
      assert.equal(readlinkSync(path.join(out, 'asis')), '/data');
      ok(cli, ['cp', '-L', 'running:/datalink', path.join(out, 'followed')]);
      assert.equal(readFileSync(path.join(out, 'followed', 'in.txt'), 'utf8'), 'inside\n');
    });

    test(`${cli}: tar streams with -`, () => {
      const listing = shell(`${cli} cp running:/data/in.txt - | tar -tvf -`);
      assert.equal(listing.code, 0, listing.stderr);
      assert.match(listing.stdout, /^-rw-r--r-- 0\/0 +7 .* in\.txt\n$/);
      // The archive's own root ("./", here mode 0700) leaves the destination directory as it was.
      const tree = localTree(`tree-stream-${cli}`);
      chmodSync(tree, 0o700);
      const streamed = shell(`tar -C ${tree} -c . | ${cli} cp - running:/tmp`);
      assert.equal(streamed.code, 0, streamed.stderr);
      assert.equal(ok('docker', ['exec', 'running', 'sh', '-c', 'cat /tmp/sub/deep; stat -c %A /tmp']), 'deep content\ndrwxrwxrwt\n');
      const notDir = run(cli, ['cp', '-', 'running:/data/in.txt'], '');
      assert.deepEqual([notDir.code, notDir.stderr], [1, 'destination "running:/data/in.txt" must be a directory\n']);
    });
  }

  test('ownership: the archive\'s ids, or the container user\'s with -a', () => {
    ok('docker', ['run', '-d', '--name', 'owned', '-u', '1234:5678', 'busybox', 'sleep', '600']);
    const file = path.join(local, 'owned-file');
    writeFileSync(file, 'x');
    chownSync(file, 4321, 8765);
    for (const cli of CLIS) {
      ok(cli, ['cp', file, `owned:/tmp/${cli}-kept`]);
      ok(cli, ['cp', '-a', file, `owned:/tmp/${cli}-archive`]);
    }
    const ids = ok('docker', ['exec', 'owned', 'stat', '-c', '%n %u:%g', '/tmp/docker-kept', '/tmp/docker-archive', '/tmp/berth-kept', '/tmp/berth-archive']);
    assert.equal(ids, '/tmp/docker-kept 4321:8765\n/tmp/docker-archive 1234:5678\n/tmp/berth-kept 4321:8765\n/tmp/berth-archive 1234:5678\n');
    // Out of a container, files belong to whoever copies them.
    ok('berth', ['cp', 'owned:/tmp/berth-kept', path.join(local, 'owned-back')]);
    assert.equal(statSync(path.join(local, 'owned-back')).uid, process.getuid?.());
  });

  test('a path under a bind mount is the host directory', () => {
    const bound = mkdtempSync(path.join(daemon.dir, 'bound-'));
    writeFileSync(path.join(bound, 'from-host'), 'host\n');
    ok('docker', ['run', '-d', '--name', 'binds', '-v', `${bound}:/mnt/bound`, 'busybox', 'sleep', '600']);
    ok('docker', ['cp', path.join(localTree('tree-bind'), 'file'), 'binds:/mnt/bound/copied']);
    assert.equal(readFileSync(path.join(bound, 'copied'), 'utf8'), 'file content\n');
    assert.equal(shell('docker cp binds:/mnt - | tar -xOf - mnt/bound/from-host').stdout, 'host\n');
    // The etc files berth writes are what the container sees there too.
    assert.equal(shell('docker cp binds:/etc/hostname - | tar -xOf -').stdout, ok('docker', ['exec', 'binds', 'hostname']));
  });
});

describe('docker cp with a stopped container', () => {
  for (const cli of CLIS) {
    test(`${cli}: copies in and out of created and exited containers, mounting their root for the while`, () => {
      const created = `created-${cli}`;
      ok('docker', ['create', '--name', created, 'busybox', 'cat', '/copied/file']);
      const tree = localTree(`tree-stopped-${cli}`);
      ok(cli, ['cp', tree, `${created}:/copied`]);
      const id = ok('docker', ['inspect', '-f', '{{.Id}}', created]).trim();
      const merged = path.join(daemon.dataRoot, 'containers', id, 'rootfs', 'merged');
      assert.ok(!isMounted(merged), 'the root filesystem is unmounted after the copy');
      assert.equal(ok('docker', ['start', '-a', created]), 'file content\n');

      // Exited now: out of it, then into it again.
      const out = path.join(local, `stopped-out-${cli}`);
      ok(cli, ['cp', `${created}:/copied/sub`, out]);
      assert.equal(readFileSync(path.join(out, 'deep'), 'utf8'), 'deep content\n');
      ok(cli, ['cp', path.join(tree, 'sub', 'deep'), `${created}:/copied/file`]);
      assert.equal(readFileSync(upperPath(created, 'copied/file'), 'utf8'), 'deep content\n');
      assert.ok(!isMounted(merged));
    });
  }

  test('a client that goes away in the middle of an archive leaves no mount behind', async () => {
    ok('docker', ['create', '--name', 'big', 'busybox', 'true']);
    const big = path.join(local, 'big');
    writeFileSync(big, Buffer.alloc(64 << 20, 7));
    ok('docker', ['cp', big, 'big:/big']);
    const id = ok('docker', ['inspect', '-f', '{{.Id}}', 'big']).trim();
    const merged = path.join(daemon.dataRoot, 'containers', id, 'rootfs', 'merged');
    const reader = shell(`curl -s --limit-rate 1M --max-time 1 --unix-socket ${daemon.socket} 'http://x/containers/big/archive?path=/big' | wc -c`);
    assert.ok(Number(reader.stdout) < 64 << 20, 'the read was cut short');
    const deadline = Date.now() + 5000;
    while (isMounted(merged) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!isMounted(merged), 'unmounted after the client left');
    assert.equal(ok('docker', ['start', '-a', 'big']), '');
  });
});

describe('docker cp errors', () => {
  before(() => {
    ok('docker', ['run', '-d', '--name', 'target', 'busybox', 'sleep', '600']);
    ok('docker', ['exec', 'target', 'sh', '-c', 'echo x > /file']);
    ok('docker', ['run', '-d', '--name', 'readonly', '--read-only', 'busybox', 'sleep', '600']);
  });

  test('the berth CLI words them as docker 20.10\'s CLI', () => {
    const file = path.join(localTree('tree-errors'), 'file');
    const cases: [string[], string][] = [
      [['cp', 'target:/nope', local], 'Error: No such container:path: target:/nope\n'],
      [['cp', 'nosuch:/x', local], 'Error: No such container:path: nosuch:/x\n'],
      [['cp', file, 'nosuch:/x'], 'Error: No such container:path: nosuch:/\n'],
      [['cp', file, 'target:/nope/deeper/x'], 'Error: No such container:path: target:/nope/deeper\n'],
      [['cp', path.dirname(file), 'target:/file'], 'cannot copy directory\n'],
      [['cp', file, 'target:/newdir/'], 'no such directory\n'],
      [['cp', 'target:/file', path.join(local, 'missing', 'x')], `invalid output path: directory "${path.join(local, 'missing')}" does not exist\n`],
      [['cp', path.join(local, 'nonexistent'), 'target:/tmp'], `lstat ${path.join(local, 'nonexistent')}: no such file or directory\n`],
      [['cp', 'a', 'b'], 'must specify at least one container source\n'],
      [['cp', 'target:/a', 'other:/b'], 'copying between containers is not supported\n'],
      [['cp', file, 'readonly:/tmp'], 'Error response from daemon: container rootfs is marked read-only\n'],
      [['cp', 'target:/file/', local], 'Error response from daemon: lstat /file/: not a directory\n'],
    ];
    for (const [args, message] of cases) {
      const r = run('berth', args);
      assert.deepEqual([r.code, r.stderr], [1, message], args.join(' '));
    }
  });

  test('the docker CLI gets dockerd\'s messages', () => {
    const missing = run('docker', ['cp', 'target:/nope', local]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: Could not find the file /nope in container target\n');
    const readOnly = run('docker', ['cp', path.join(localTree('tree-errors-docker'), 'file'), 'readonly:/tmp']);
    assert.deepEqual([readOnly.code, readOnly.stderr], [1, 'Error response from daemon: container rootfs is marked read-only\n']);
  });

  test('the API answers as dockerd', async () => {
    const head = shell(`curl -sfI --unix-socket ${daemon.socket} 'http://x/containers/target/archive?path=/bin/sh' | tr -d '\\r' | sed -n 's/^X-Docker-Container-Path-Stat: //ip'`).stdout.trim();
    assert.deepEqual(JSON.parse(Buffer.from(head, 'base64').toString()), { name: 'sh', size: 7, mode: 134218239, mtime: '1970-01-01T00:00:00Z', linkTarget: '/bin/busybox' });
    assert.deepEqual(await daemon.api('GET', '/containers/target/archive?path=/nope').then((r) => [r.status, r.body]), [404, { message: 'Could not find the file /nope in container target' }]);
    assert.deepEqual(await daemon.api('GET', '/containers/target/archive').then((r) => [r.status, r.body]), [400, { message: 'bad parameter: pathcannot be empty' }]);
    assert.deepEqual(await daemon.api('GET', '/containers/nosuch/archive?path=/').then((r) => [r.status, r.body]), [404, { message: 'No such container: nosuch' }]);
    const body = await tarOf([{ name: 'x' }]);
    assert.deepEqual(await put('target', '/file', body).then((r) => [r.status, r.body]), [500, { message: 'extraction point is not a directory' }]);
    assert.deepEqual(await put('target', '/nope', body).then((r) => [r.status, r.body]), [404, { message: 'Could not find the file /nope in container target' }]);
    // docker cp asks never to replace a directory by a file, nor the reverse.
    const conflict = await put('target', '/', await tarOf([{ name: 'tmp', content: 'not a directory' }]), '&noOverwriteDirNonDir=true');
    assert.deepEqual([conflict.status, conflict.body], [500, { message: 'Error processing tar file(exit status 1): cannot overwrite directory "/tmp" with non-directory "/"' }]);
  });
});

describe('hostile archives', () => {
  before(() => {
    // Links inside the container that point out of it, if they were followed on the host.
    ok('docker', ['run', '-d', '--name', 'victim', 'busybox', 'sleep', '600']);
    ok('docker', ['exec', 'victim', 'sh', '-c', 'ln -s / /rootlink; ln -s ../../../../../../tmp /climb; mkdir /dst']);
  });

  test('nothing is written outside the container\'s root: .., absolute names, symlinks out', async () => {
    const marker = `berth-cp-escape-${process.pid}`;
    // Where each write would land if a name or a link were followed on the host.
    const hostTargets = ['/tmp', '/', '/tmp/tmp', daemon.dir, path.join(daemon.dir, 'tmp')].map((dir) => path.join(dir, marker));
    const climb = await put('victim', '/dst', await tarOf([{ name: `../../../../../../tmp/${marker}` }]));
    assert.deepEqual([climb.status, climb.body], [500, { message: `Error processing tar file(exit status 1): "../../../../../../tmp/${marker}" is outside of "/dst"` }]);
    const absolute = await put('victim', '/dst', await tarOf([{ name: `/tmp/${marker}` }]));
    assert.equal(absolute.status, 200);
    // A symlink in the archive, then a file through it: the file is not written.
    const throughLink = await put('victim', '/dst', await tarOf([{ name: 'out', type: 'symlink', linkname: '/tmp' }, { name: `out/${marker}` }, { name: 'kept' }]));
    assert.equal(throughLink.status, 200);
    const hardLink = await put('victim', '/dst', await tarOf([{ name: 'shadow', type: 'link', linkname: '/etc/shadow' }]));
    assert.equal(hardLink.status, 200);
    // Destinations through the container's links resolve inside the container.
    assert.equal((await put('victim', '/rootlink', await tarOf([{ name: marker }]))).status, 200);
    assert.equal((await put('victim', '/climb', await tarOf([{ name: marker }]))).status, 200);

    for (const hostPath of hostTargets) assert.ok(!existsSync(hostPath), `${hostPath} must not exist`);
    // Inside: the absolute name under /dst, the entries beside the skipped ones, the links' targets.
    const inside = ok('docker', ['exec', 'victim', 'sh', '-c', `for f in /dst/tmp/${marker} /dst/kept /${marker} /tmp/${marker}; do test -f $f && echo $f; done; test -e /dst/shadow || echo no hardlink`]);
    assert.equal(inside, `/dst/tmp/${marker}\n/dst/kept\n/${marker}\n/tmp/${marker}\nno hardlink\n`);
    assert.ok(lstatSync(upperPath('victim', marker)).isFile());
  });
});
