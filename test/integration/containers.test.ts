// The container lifecycle through the real docker CLI and dockerode against a berthd
// of this file's own: exit codes, logs, exec, signals, errors, security defaults,
// live restore after SIGKILL, log rotation, and cleanup.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { runCommand, startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';
import { waitUntil } from '../helpers/wait.js';

let daemon: TestDaemon;

before(async () => {
  daemon = await startDaemonWithBusybox();
});

after(async () => {
  await daemon?.stop();
});

const docker = (...args: string[]) => daemon.docker(args);

function ok(args: string[]): string {
  const r = daemon.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('docker run', () => {
  test('prints the output and exits with the container exit code', () => {
    const r = docker('run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('a missing command exits 127 with the runtime error, and --rm removes the container', () => {
    const r = docker('run', '--rm', '--name', 'nocmd', 'busybox', 'nosuchcommand');
    assert.equal(r.code, 127);
    assert.match(r.stderr, /executable file not found in \$PATH/);
    assert.equal(docker('inspect', 'nocmd').code, 1);
  });

  test('an image that is not present fails like docker without a registry', () => {
    const r = docker('run', '--rm', 'nosuchimage');
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Unable to find image 'nosuchimage:latest' locally/);
  });

  test('stdin reaches the container with -i', () => {
    const r = daemon.docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'line1\nline2\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'line1\nline2\ndone\n');
  });

  test('binary stdin arrives intact, and a container that ignores its stdin does not stall berthd', () => {
    const piped = runCommand('bash', ['-c', 'head -c 2000000 /dev/urandom | tee >(md5sum >&2) | docker run --rm -i busybox md5sum'], { DOCKER_HOST: daemon.host }, {});
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout.split(' ')[0], piped.stderr.split(' ')[0]);
    const flood = runCommand('bash', ['-c', '(yes | timeout 5 docker run --rm -i --name flooded busybox sleep 2) & sleep 1; docker ps --format "{{.Names}}"; wait'], { DOCKER_HOST: daemon.host }, {});
    assert.match(flood.stdout, /flooded/);
  });

  test('Docker defaults: capabilities, seccomp, devices, masked and read-only paths, hostname', () => {
    const out = ok([
      'run', '--rm', 'busybox', 'sh', '-c',
      'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev | tr "\\n" " "; echo; wc -c < /proc/keys; echo x > /proc/sys/kernel/domainname 2>/dev/null || echo ro; hostname; ps -o pid,comm | wc -l',
    ]);
    const lines = out.split('\n');
    assert.equal(lines[0], 'CapEff:\t00000000a80425fb');
    assert.equal(lines[1], 'Seccomp:\t2');
    for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm', 'mqueue']) assert.ok(lines[2].split(' ').includes(dev), dev);
    assert.ok(!lines[2].split(' ').includes('vda'), 'host devices must not be visible');
    assert.equal(lines[3].trim(), '0');
    assert.equal(lines[4], 'ro');
    assert.match(lines[5], /^[0-9a-f]{12}$/);
    // Only the container's own processes: the header, sh, ps (and wc).
    assert.ok(Number(lines[6]) <= 4, `sees ${lines[6]} lines of processes`);
  });

  test('-u, -w, -e, --hostname, --entrypoint, --init and -t', () => {
    assert.equal(ok(['run', '--rm', '-u', 'nobody', 'busybox', 'id', '-u']), '65534\n');
    assert.equal(ok(['run', '--rm', '-u', '1234:5678', 'busybox', 'id']).trim(), 'uid=1234 gid=5678 groups=5678');
    assert.equal(ok(['run', '--rm', '-w', '/tmp', 'busybox', 'pwd']), '/tmp\n');
    assert.equal(ok(['run', '--rm', '-e', 'A=1', '--env', 'B=two', 'busybox', 'sh', '-c', 'echo $A$B']), '1two\n');
    assert.equal(ok(['run', '--rm', '--hostname', 'myhost', 'busybox', 'cat', '/etc/hostname']), 'myhost\n');
    assert.equal(ok(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'from', 'entrypoint']), 'from entrypoint\n');
    assert.equal(ok(['run', '--rm', '--init', 'busybox', 'cat', '/proc/1/cmdline']).split('\0')[0], '/sbin/docker-init');
    assert.equal(ok(['run', '--rm', '-t', 'busybox', 'tty']).trim(), '/dev/pts/0');
  });
});

describe('bind mounts', () => {
  test('-v binds a host directory read-write or read-only, shown in Mounts', () => {
    const dir = mkdtempSync(path.join(daemon.dir, 'bind-'));
    writeFileSync(path.join(dir, 'from-host'), 'host\n');
    assert.equal(ok(['run', '--rm', '-v', `${dir}:/data`, 'busybox', 'sh', '-c', 'cat /data/from-host; echo ctr > /data/from-ctr']), 'host\n');
    assert.equal(readFileSync(path.join(dir, 'from-ctr'), 'utf8'), 'ctr\n');
    const ro = docker('run', '--rm', '-v', `${dir}:/data:ro`, 'busybox', 'touch', '/data/x');
    assert.equal(ro.code, 1);
    assert.match(ro.stderr, /Read-only file system/);
    ok(['create', '--name', 'bound', '-v', `${dir}:/data:ro`, 'busybox', 'true']);
    assert.deepEqual(JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', 'bound'])), [
      { Type: 'bind', Source: dir, Destination: '/data', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    ]);
    ok(['rm', 'bound']);
  });
});

describe('container lifecycle', () => {
  test('detached container: logs, exec, inspect, pause, stop, start, restart, rename, kill, rm', async () => {
    const id = ok(['run', '-d', '--name', 'life', '-l', 'app=web', 'busybox', 'sh', '-c', 'echo started; trap "echo bye; exit 0" TERM; while true; do sleep 0.1; done']).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await waitUntil(() => docker('logs', 'life').stdout === 'started\n', 'the first log line');
    assert.match(ok(['ps', '--filter', 'label=app=web', '--format', '{{.Names}} {{.Status}}']), /^life Up /);
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.Config.Labels.app}} {{.Name}}', 'life']), 'running web /life\n');

    const exec = docker('exec', 'life', 'sh', '-c', 'echo in exec; exit 7');
    assert.equal(exec.code, 7);
    assert.equal(exec.stdout, 'in exec\n');
    assert.equal(daemon.docker(['exec', '-i', 'life', 'cat'], { input: 'piped\n' }).stdout, 'piped\n');

    ok(['pause', 'life']);
    assert.equal(ok(['inspect', '-f', '{{.State.Status}}', 'life']), 'paused\n');
    ok(['unpause', 'life']);

    ok(['stop', '-t', '5', 'life']);
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'life']), 'exited 0\n');
    assert.match(ok(['logs', 'life']), /started\nbye\n/);
    assert.match(ok(['ps', '-a', '--filter', 'exited=0', '--format', '{{.Names}}']), /life/);

    ok(['start', 'life']);
    ok(['restart', '-t', '1', 'life']);
    assert.equal(ok(['inspect', '-f', '{{.State.Running}} {{.RestartCount}}', 'life']), 'true 0\n');
    ok(['rename', 'life', 'life2']);
    ok(['kill', '-s', 'KILL', 'life2']);
    assert.equal(ok(['wait', 'life2']), '137\n');
    ok(['rm', 'life2']);
    assert.equal(docker('inspect', 'life2').code, 1);
  });

  test('logs: streams, timestamps, tail, since, follow', async () => {
    ok(['run', '-d', '--name', 'logger', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; sleep 1; echo late']);
    await waitUntil(() => docker('inspect', '-f', '{{.State.Running}}', 'logger').stdout === 'false\n', 'the container to exit');
    const all = docker('logs', 'logger');
    assert.equal(all.stdout, 'out1\nout2\nout3\nout4\nout5\nlate\n');
    assert.equal(all.stderr, 'err1\nerr2\nerr3\nerr4\nerr5\n');
    const tail = docker('logs', '--tail', '2', 'logger');
    assert.deepEqual([tail.stdout, tail.stderr], ['late\n', 'err5\n']);
    assert.match(docker('logs', '-t', '--tail', '1', 'logger').stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z late\n$/);
    assert.equal(docker('logs', '--since', '2099-01-01T00:00:00Z', 'logger').stdout, '');
    ok(['rm', 'logger']);

    ok(['run', '-d', '--name', 'follow', 'busybox', 'sh', '-c', 'echo one; sleep 0.5; echo two']);
    const followed = docker('logs', '-f', 'follow');
    assert.equal(followed.stdout, 'one\ntwo\n');
    ok(['rm', '-f', 'follow']);
  });

  test('log rotation keeps max-file files of max-size', async () => {
    ok(['run', '-d', '--name', 'rotating', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 400 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); sleep 0.005; done']);
    await waitUntil(() => docker('inspect', '-f', '{{.State.Running}}', 'rotating').stdout === 'false\n', 'the container to exit', 20000);
    const logPath = ok(['inspect', '-f', '{{.LogPath}}', 'rotating']).trim();
    assert.ok(existsSync(`${logPath}.1`), 'a rotated file exists');
    assert.ok(!existsSync(`${logPath}.2`), 'no more than max-file files');
    const lines = ok(['logs', 'rotating']).trim().split('\n');
    assert.ok(lines.length < 400 && lines.length > 10, `${lines.length} lines kept`);
    assert.equal(lines.at(-1), 'line-399-padding-padding-padding');
    ok(['rm', 'rotating']);
  });
});

describe('errors as Docker gives them', () => {
  test('unknown container is a 404 with Docker\'s text', async () => {
    const r = docker('inspect', '--type', 'container', 'nosuch');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such container: nosuch/);
    const api = await daemon.api('POST', '/v1.41/containers/nosuch/start');
    assert.equal(api.status, 404);
    assert.deepEqual(api.body, { message: 'No such container: nosuch' });
  });

  test('a duplicate name is a 409 conflict', () => {
    ok(['create', '--name', 'dup', 'busybox', 'true']);
    const r = docker('create', '--name', 'dup', 'busybox', 'true');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Conflict\. The container name "\/dup" is already in use by container "[0-9a-f]{64}"/);
    ok(['rm', 'dup']);
  });

  test('malformed JSON is a 400', async () => {
    const r = await daemon.api('POST', '/v1.41/containers/create', '{"Image": "busybox",');
    assert.equal(r.status, 400);
    assert.ok(typeof r.body.message === 'string' && r.body.message.length > 0);
  });

  test('removing a running container needs force', () => {
    ok(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '100']);
    const r = docker('rm', 'busy');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/);
    ok(['rm', '-f', 'busy']);
  });

  test('unsupported API versions are refused', async () => {
    const r = await daemon.api('GET', '/v1.99/version');
    assert.equal(r.status, 400);
    assert.match(r.body.message, /client version 1\.99 is too new/);
  });
});

describe('hostile import', () => {
  test('a tarball with .., absolute paths, escaping links and devices writes nothing outside the layer', () => {
    const tag = `h${process.pid}`;
    const tarPath = path.join(daemon.dir, 'hostile.tar');
    const made = runCommand('python3', ['-c', `
import io, tarfile, sys
t = tarfile.open(sys.argv[1], 'w')
def add(name, data=b'x', **kw):
    info = tarfile.TarInfo(name)
    for k, v in kw.items(): setattr(info, k, v)
    if info.type == tarfile.REGTYPE: info.size = len(data); t.addfile(info, io.BytesIO(data))
    else: t.addfile(info)
add('bin', type=tarfile.DIRTYPE, mode=0o755)
add('../escape-${tag}')
add('/abs-${tag}')
add('link', type=tarfile.SYMTYPE, linkname='/tmp')
add('link/escaped-${tag}')
add('hard', type=tarfile.LNKTYPE, linkname='../../../../etc/passwd')
add('dev', type=tarfile.CHRTYPE, devmajor=1, devminor=1)
add('ok-${tag}', b'fine')
t.close()
`, tarPath], {}, {});
    assert.equal(made.code, 0, made.stderr);
    const imported = docker('import', tarPath, `hostile:${tag}`);
    assert.equal(imported.code, 0, imported.stderr);
    assert.ok(!existsSync(`/tmp/escaped-${tag}`), 'nothing written through the symlink');
    assert.ok(!existsSync(`/abs-${tag}`), 'nothing written at the absolute path');
    for (const dir of [daemon.dir, daemon.dataRoot, path.dirname(daemon.dir), '/']) {
      assert.ok(!existsSync(path.join(dir, `escape-${tag}`)), `nothing climbed into ${dir}`);
    }
    const layers = path.join(daemon.dataRoot, 'layers');
    // find does not follow the symlink the tarball planted (Node's recursive readdir would).
    const files = runCommand('find', [layers], {}, {}).stdout.split('\n');
    const kept = files.find((f) => f.endsWith(`/ok-${tag}`));
    assert.ok(kept, 'the harmless entry is kept');
    const layer = path.dirname(kept);
    const entries = readdirSync(layer).sort();
    assert.deepEqual(entries, [`abs-${tag}`, 'bin', 'link', `ok-${tag}`], 'the device, the escaping hardlink and the write through the link are skipped');
    ok(['rmi', `hostile:${tag}`]);
  });
});

describe('dockerode', () => {
  test('create, attach, start, wait, logs, remove', async () => {
    const client = new Docker({ socketPath: daemon.socket });
    const container = await client.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo via dockerode; exit 5'], Labels: { by: 'dockerode' } });
    await container.start();
    const result = await container.wait();
    assert.equal(result.StatusCode, 5);
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    assert.match(logs.toString(), /via dockerode/);
    const listed = await client.listContainers({ all: true, filters: { label: ['by=dockerode'] } });
    assert.equal(listed.length, 1);
    await container.remove();
    const info = await client.info();
    assert.equal(typeof info.Containers, 'number');
  });
});

describe('live restore', () => {
  test('containers survive a SIGKILLed berthd and are found again', async () => {
    ok(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'echo before; while true; do sleep 0.1; done']);
    ok(['run', '-d', '--name', 'ender', 'busybox', 'sh', '-c', 'sleep 1; exit 42']);
    const pid = Number(ok(['inspect', '-f', '{{.State.Pid}}', 'survivor']).trim());
    await daemon.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(existsSync(`/proc/${pid}`), 'the container process outlives berthd');
    await daemon.start();
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', 'survivor']), `running ${pid}\n`);
    await waitUntil(() => docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'ender').stdout === 'exited 42\n', 'the exit recorded meanwhile');
    assert.equal(ok(['logs', 'survivor']).split('\n')[0], 'before');
    assert.equal(ok(['exec', 'survivor', 'echo', 'exec after restore']), 'exec after restore\n');
    ok(['stop', '-t', '1', 'survivor']);
    assert.equal(ok(['wait', 'survivor']), '137\n');
    ok(['rm', 'survivor', 'ender']);
  });
});

describe('cleanup', () => {
  test('removing containers leaves no mounts, monitors, bundles or cgroups', async () => {
    ok(['run', '-d', '--name', 'tidy', 'busybox', 'sleep', '100']);
    const id = ok(['inspect', '-f', '{{.Id}}', 'tidy']).trim();
    ok(['rm', '-f', 'tidy']);
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(daemon.dir));
    assert.deepEqual(mounts, []);
    assert.ok(!existsSync(path.join(daemon.execRoot, 'containers', id)), 'bundle removed');
    assert.ok(!existsSync(path.join(daemon.dataRoot, 'containers', id)), 'container dir removed');
    for (const controller of readdirSync('/sys/fs/cgroup')) {
      assert.ok(!existsSync(path.join('/sys/fs/cgroup', controller, 'berth', id)), `cgroup ${controller} removed`);
    }
    const monitors = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id);
      } catch {
        return false;
      }
    });
    assert.deepEqual(monitors, []);
  });
});
