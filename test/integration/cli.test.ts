// The berth CLI against an Engine API server, compared with the docker CLI on the same daemon.
// By default the test starts a berthd of its own (with busybox:latest); BERTH_TEST_HOST points it
// at another daemon instead (e.g. unix:///tmp/refdocker/docker.sock, a reference dockerd, which
// must have busybox:latest). The docker CLI is the reference for output text, stderr and exit
// codes. Objects are named cli-t<pid>-*.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BERTH = path.join(ROOT, 'bin/berth');
/** Another daemon to test against; unset: a berthd of our own, started in `before`. */
const EXTERNAL_HOST = process.env.BERTH_TEST_HOST;
let HOST = EXTERNAL_HOST ?? '';
const DOCKER = process.env.BERTH_TEST_DOCKER_CLI ?? '/usr/local/bin/docker';
const P = `cli-t${process.pid}`;
const IMAGE = 'busybox:latest';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let env: NodeJS.ProcessEnv = {};

function run(cmd: string, args: string[], input?: string | Buffer): Result {
  const r = spawnSync(cmd, args, { env, input: input ?? '', maxBuffer: 64 << 20, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** berth with node's own option parsing switched off (`--`), so flags like --env-file reach berth. */
const berth = (...args: string[]) => run(process.execPath, ['--', BERTH, ...args]);
const berthIn = (input: string | Buffer, ...args: string[]) => run(process.execPath, ['--', BERTH, ...args], input);
const docker = (...args: string[]) => run(DOCKER, args);

/** docker's output with its name replaced by berth's. */
function asBerth(r: Result): Result {
  const rename = (s: string) => s.replace(/\bdocker\b/g, 'berth').replace(/\bDocker\b/g, 'berth');
  return { code: r.code, stdout: rename(r.stdout), stderr: rename(r.stderr) };
}

/**
 * Runs the same command through both CLIs and expects identical results; times shown by
 * docker can tick between runs, so docker runs before and after and either may match.
 */
function same(...args: string[]): Result {
  const before = asBerth(docker(...args));
  const ours = berth(...args);
  try {
    assert.deepEqual(ours, before);
  } catch (err) {
    // A second may tick between the runs (and widen a column): compare without the clock.
    const afterRun = asBerth(docker(...args));
    if (JSON.stringify(ours) !== JSON.stringify(afterRun) && JSON.stringify(withoutClock(ours)) !== JSON.stringify(withoutClock(before))) throw err;
  }
  return ours;
}

/** "Up 2 seconds", "3 seconds ago" and column padding taken out of a result. */
function withoutClock(result: Result): Result {
  const strip = (text: string) => text.replace(/(About a minute|Less than a second|\d+ (second|minute|hour)s?)/g, 'T').replace(/ {2,}/g, '  ');
  return { ...result, stdout: strip(result.stdout), stderr: strip(result.stderr) };
}

const hasDocker = existsSync(DOCKER);

describe('berth CLI', { skip: !hasDocker && 'the docker CLI is needed as the reference' }, () => {
  let dir = '';
  let daemon: TestDaemon | undefined;

  before(async () => {
    if (!EXTERNAL_HOST) {
      daemon = await startDaemonWithBusybox();
      HOST = daemon.host;
    }
    env = { ...process.env, DOCKER_HOST: HOST, DOCKER_CLI_HINTS: 'false' };
    dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-'));
    assert.equal(berth('image', 'inspect', '-f', '{{.Id}}', IMAGE).code, 0, `${IMAGE} must be present on ${HOST}`);
  });

  after(async () => {
    try {
      if (daemon) {
        await daemon.stop(); // removes every container, stops berthd, unmounts, deletes its files
      } else if (HOST) {
        const ids = docker('ps', '-aq', '--filter', `name=${P}`).stdout.split('\n').filter(Boolean);
        if (ids.length) docker('rm', '-f', ...ids);
        const images = docker('images', '--format', '{{.Repository}}:{{.Tag}}').stdout.split('\n').filter((i) => i.startsWith(P));
        if (images.length) docker('rmi', '-f', ...images);
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('run', () => {
    test('output streams and the exit code', () => {
      const r = same('run', '--rm', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3');
      assert.deepEqual(r, { code: 3, stdout: 'out\n', stderr: 'err\n' });
    });

    test('127 for a missing command, 126 for one that cannot run', () => {
      assert.equal(same('run', '--rm', IMAGE, 'nosuchcmd').code, 127);
      assert.equal(same('run', '--rm', IMAGE, '/etc/passwd').code, 126);
    });

    test('daemon errors are 125 with the help hint', () => {
      const r = same('run', '--rm', '--restart', 'always', IMAGE);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /^berth: conflicting options: cannot specify both --restart and --rm\n\nRun 'berth run --help' for more information\n$/);
      same('run', '--pull=never', `${P}-nosuchimage`);
    });

    test('flag errors and argument counts', () => {
      same('run');
      same('run', '-x', IMAGE);
      same('run', '-e');
      same('run', '--shm-size', 'x', IMAGE);
      same('run', '--pull=bogus', IMAGE);
      same('run', '--env-file', '/nonexistent', IMAGE);
      same('stop', '-t', 'x', 'a');
      same('rm', '--force=maybe', 'x');
      same('ps', '-x');
      same('logs');
      same('tag', 'a');
      same('frob');
      same('container', 'frob');
    });

    test('combined short flags, --flag=value, repeated flags and -- ', () => {
      const r = berth('run', '--rm', '-e=A=1', '--env', 'B=2', '-eC=3', '-w/tmp', '--user=65534', IMAGE, 'sh', '-c', 'echo $A$B$C $(pwd) $(id -u)');
      assert.deepEqual(r, { code: 0, stdout: '123 /tmp 65534\n', stderr: '' });
      const after = berth('run', '--rm', IMAGE, 'echo', '-it', '--rm', '--', 'x');
      assert.equal(after.stdout, '-it --rm -- x\n');
    });

    test('stdin with -i is copied and closed at its end', () => {
      const r = berthIn('line one\nline two\n', 'run', '--rm', '-i', IMAGE, 'sh', '-c', 'cat; echo done');
      assert.deepEqual(r, { code: 0, stdout: 'line one\nline two\ndone\n', stderr: '' });
    });

    test('-d prints the id and the container runs on', () => {
      const r = berth('run', '-d', '--name', `${P}-d`, '-l', 'role=test', IMAGE, 'sh', '-c', 'echo started; sleep 30');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
      assert.equal(docker('inspect', '-f', '{{.State.Running}} {{.Config.Labels.role}}', `${P}-d`).stdout, 'true test\n');
      same('logs', `${P}-d`);
      berth('rm', '-f', `${P}-d`);
    });

    test('create options reach the daemon as docker sends them', () => {
      const envFile = path.join(dir, 'env');
      writeFileSync(envFile, '# comment\nFROM_FILE=yes\nBARE\n');
      const options = [
        '-h', 'box', '--env-file', envFile, '-e', 'BARE_TOO', '-l', 'a=b', '-l', 'c', '--label-file', '/dev/null', '--init', '--read-only',
        '--privileged', '--cap-add', 'net_admin', '--cap-drop', 'ALL', '--add-host', 'a:1.2.3.4', '--dns', '8.8.8.8', '--restart',
        'on-failure:3', '--stop-signal', 'SIGUSR1', '--stop-timeout', '5', '--shm-size', '32m', '--log-driver', 'json-file', '--log-opt',
        'max-size=1m', '--network', 'none', '--entrypoint', '', '-u', 'nobody', '-w', '/tmp', '-i', '-t', '-v', '/data', '-p', '8080:80',
        '--expose', '9000', IMAGE, 'true',
      ];
      const config = (name: string) => docker('inspect', '-f', '{{json .Config}} {{json .HostConfig}}', name).stdout.replace(/"Hostname":"[^"]*"/, '');
      assert.equal(berth('create', '--name', `${P}-opts-b`, ...options).code, 0);
      assert.equal(docker('create', '--name', `${P}-opts-d`, ...options).code, 0);
      assert.equal(config(`${P}-opts-b`), config(`${P}-opts-d`));
      berth('rm', `${P}-opts-b`, `${P}-opts-d`);
    });
  });

  describe('tty', { skip: !existsSync('/usr/bin/script') && 'script(1) is needed for a terminal' }, () => {
    // script(1) gives berth a terminal; its stdin (a pipe) becomes the keyboard.
    const inTerminal = (command: string, input: string, delays: number[]) =>
      new Promise<Result>((resolve) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], { env });
        let stdout = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr: '' }));
        const parts = input.split('|');
        let t = 0;
        parts.forEach((part, i) => {
          t += delays[i] ?? 500;
          setTimeout(() => child.stdin.write(part), t);
        });
        setTimeout(() => child.stdin.end(), t + 3000);
      });

    const cmd = (...args: string[]) => [process.execPath, '--', BERTH, ...args].join(' ');

    test('-t gives the process a terminal', async () => {
      const r = await inTerminal(cmd('run', '--rm', '-t', IMAGE, 'tty'), '', []);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /\/dev\/pts\/0\r/);
      assert.deepEqual(r, await inTerminal([DOCKER, 'run', '--rm', '-t', IMAGE, 'tty'].join(' '), '', []));
    });

    test('-it: typed input reaches the shell and its exit code comes back', async () => {
      const r = await inTerminal(cmd('run', '--rm', '-it', IMAGE, 'sh'), 'echo hi-$((1+2))\n|exit 5\n', [1500, 500]);
      assert.equal(r.code, 5);
      assert.match(r.stdout, /hi-3\r\n/);
    });

    test('ctrl-p ctrl-q detaches and leaves the container running', async () => {
      const name = `${P}-detach`;
      const r = await inTerminal(cmd('run', '-it', '--name', name, IMAGE, 'sh'), '\x10|\x11', [1500, 200]);
      assert.equal(r.code, 0);
      assert.equal(docker('inspect', '-f', '{{.State.Running}}', name).stdout, 'true\n');
      berth('rm', '-f', name);
    });
  });

  describe('containers', () => {
    const name = `${P}-c`;

    before(() => {
      assert.equal(berth('run', '-d', '--name', name, '-l', 'b=2', '-l', 'a=1', IMAGE, 'sh', '-c', 'echo one; echo two >&2; sleep 300').code, 0);
    });

    test('ps formats', () => {
      same('ps', '--filter', `name=${name}`);
      same('ps', '-a', '--no-trunc', '--filter', `name=${name}`);
      same('ps', '-q', '--filter', `name=${name}`);
      same('ps', '-s', '--filter', `name=${name}`);
      same('ps', '--format', 'json', '--filter', `name=${name}`);
      same('ps', '--format', 'table {{.Names}}\t{{.Labels}}\t{{.Label "a"}}\t{{.State}}', '--filter', `name=${name}`);
      same('ps', '--format', '{{.ID}} {{.Command}} {{.Networks}} {{.Mounts}}', '--filter', `name=${name}`);
      same('container', 'ls', '-n', '1', '--filter', `name=${name}`);
      same('ps', '--format', '{{.Foo');
      same('ps', '--format', '{{.Foo}}');
    });

    test('inspect', () => {
      same('inspect', name);
      same('container', 'inspect', '-s', name);
      same('inspect', '-f', '{{.Name}} {{.State.Status}} {{.Config.Labels}}', name, IMAGE);
      same('inspect', '--type', 'image', '-f', '{{.Id}}', IMAGE);
      same('inspect', '-f', 'json', name);
      same('inspect', `${P}-nosuch`);
      same('container', 'inspect', `${P}-nosuch`);
      same('inspect', '-f', '{{.Foo', name);
      same('inspect', '--type', 'foo', name);
    });

    test('logs', () => {
      same('logs', name);
      same('logs', '--tail', '1', name);
      same('logs', '-t', name);
      same('logs', '--since', '1h', '--until', '0s', name);
      same('logs', `${P}-nosuch`);
    });

    test('exec', () => {
      same('exec', name, 'sh', '-c', 'echo hi; echo err >&2; exit 4');
      same('exec', '-e', 'A=1', '-w', '/tmp', '-u', '1000', name, 'sh', '-c', 'echo $A $(pwd) $(id -u)');
      same('exec', name, 'nosuchcmd');
      same('exec', `${P}-nosuch`, 'true');
      assert.equal(berth('exec', '-d', name, 'touch', '/tmp/detached').code, 0);
      assert.equal(berthIn('piped\n', 'exec', '-i', name, 'cat').stdout, 'piped\n');
    });

    test('pause, unpause, rename', () => {
      assert.deepEqual(berth('pause', name), { code: 0, stdout: `${name}\n`, stderr: '' });
      assert.equal(docker('inspect', '-f', '{{.State.Status}}', name).stdout, 'paused\n');
      assert.deepEqual(berth('unpause', name), { code: 0, stdout: `${name}\n`, stderr: '' });
      assert.equal(berth('rename', name, `${name}-2`).code, 0);
      assert.equal(docker('inspect', '-f', '{{.Name}}', `${name}-2`).stdout, `/${name}-2\n`);
      assert.equal(berth('rename', `${name}-2`, name).code, 0);
      same('rename', `${P}-nosuch`, 'x');
      same('rename', `${P}-nosuch`, '');
    });

    test('errors for missing containers', () => {
      for (const cmd of ['stop', 'kill', 'pause', 'unpause', 'wait', 'start', 'restart', 'rm']) same(cmd, `${P}-nosuch`);
      same('rm', '-f', `${P}-nosuch`);
      same('kill', `${P}-nosuch1`, `${P}-nosuch2`);
    });

    test('kill -s and wait', () => {
      const k = `${P}-kill`;
      berth('run', '-d', '--name', k, IMAGE, 'sh', '-c', 'trap "echo got USR1; exit 7" USR1; while true; do sleep 0.1; done');
      spawnSync('sleep', ['0.5']);
      assert.deepEqual(berth('kill', '-s', 'USR1', k), { code: 0, stdout: `${k}\n`, stderr: '' });
      assert.deepEqual(berth('wait', k), { code: 0, stdout: '7\n', stderr: '' });
      assert.equal(berth('logs', k).stdout, 'got USR1\n');
      berth('rm', k);
    });

    test('stop -t, restart, start -a, rm -v', () => {
      const s = `${P}-stop`;
      berth('run', '-d', '--name', s, IMAGE, 'sleep', '300');
      const t0 = Date.now();
      assert.deepEqual(berth('stop', '-t', '1', s), { code: 0, stdout: `${s}\n`, stderr: '' });
      const took = Date.now() - t0;
      assert.ok(took >= 900 && took < 8000, `stop -t 1 took ${took} ms`);
      assert.deepEqual(berth('restart', '-t', '0', s), { code: 0, stdout: `${s}\n`, stderr: '' });
      assert.equal(docker('inspect', '-f', '{{.State.Running}}', s).stdout, 'true\n');
      berth('rm', '-f', '-v', s);

      const a = `${P}-attach`;
      berth('create', '--name', a, IMAGE, 'sh', '-c', 'echo attached; exit 6');
      assert.deepEqual(berth('start', '-a', a), { code: 6, stdout: 'attached\n', stderr: '' });
      assert.deepEqual(berth('start', a), { code: 0, stdout: `${a}\n`, stderr: '' });
      same('wait', a);
      berth('rm', a);
    });

    test('commit', () => {
      const ref = `${P}-commit:v1`;
      berth('exec', name, 'sh', '-c', 'echo committed > /marker');
      const r = berth('commit', '-m', 'the message', '-a', 'someone', '-c', 'ENV X=2', '-c', 'CMD ["cat", "/marker"]', name, ref);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
      same('inspect', '-f', '{{.Comment}}|{{.Author}}|{{.Config.Env}}|{{.Config.Cmd}}', ref);
      assert.deepEqual(berth('run', '--rm', ref), { code: 0, stdout: 'committed\n', stderr: '' });
      same('history', ref);
      same('history', '--no-trunc', '-H=false', ref);
      same('history', '-q', ref);
      same('history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}', ref);
      berth('rmi', ref);
    });

    test('prune with a filter that matches nothing', () => {
      same('container', 'prune', '-f', '--filter', `label=${P}-none`);
      same('image', 'prune', '-f', '--filter', `label=${P}-none`);
    });
  });

  describe('images', () => {
    test('images, tag, rmi', () => {
      const repo = `${P}-tag`;
      assert.deepEqual(berth('tag', IMAGE, `${repo}:v1`), { code: 0, stdout: '', stderr: '' });
      assert.equal(berth('image', 'tag', IMAGE, `${repo}:v2`).code, 0);
      same('images', `${repo}:v1`);
      same('images', '--digests', `${repo}:v1`);
      same('images', '-q', repo);
      same('images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}} {{.Containers}}', `${repo}:v1`);
      same('image', 'ls', '--format', 'json', `${repo}:v2`);
      same('images', '--filter', `reference=${repo}:v2`, '--format', 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}');
      same('tag', IMAGE, 'Upper');
      same('tag', IMAGE, 'a b');
      same('tag', `${P}-nosuch`, repo);
      assert.deepEqual(berth('rmi', `${repo}:v1`, `${repo}:v2`), { code: 0, stdout: `Untagged: ${repo}:v1\nUntagged: ${repo}:v2\n`, stderr: '' });
      same('rmi', `${P}-nosuch`);
      same('rmi', '-f', `${P}-nosuch`);
    });

    test('import with -c and -m, from a file and from stdin', () => {
      const tar = spawnSync('tar', ['-C', '/', '-cf', '-', 'etc/hostname']).stdout;
      const file = path.join(dir, 'rootfs.tar');
      writeFileSync(file, tar);
      const ref = `${P}-import:v1`;
      const r = berth('import', '-c', 'CMD ["/bin/true"]', '-c', 'ENV A=1', '-m', 'imported msg', file, ref);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
      same('inspect', '-f', '{{.Config.Cmd}} {{.Config.Env}} {{.Comment}}', ref);
      same('history', '--format', '{{.CreatedBy}}|{{.Size}}|{{.Comment}}', ref);
      const fromStdin = berthIn(tar, 'image', 'import', '-', `${P}-import:v2`);
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      same('images', '--format', '{{.ID}}', `${P}-import`);
      same('import', '/nonexistent');
      berth('rmi', ref, `${P}-import:v2`);
    });

    test('save and load round trip', () => {
      const ref = `${P}-save:v1`;
      berth('tag', IMAGE, ref);
      const file = path.join(dir, 'saved.tar');
      assert.deepEqual(berth('save', '-o', file, ref), { code: 0, stdout: '', stderr: '' });
      const piped = berth('save', ref);
      assert.equal(piped.code, 0);
      assert.deepEqual(berth('rmi', ref).code, 0);
      assert.deepEqual(berth('load', '-i', file), { code: 0, stdout: `Loaded image: ${ref}\n`, stderr: '' });
      assert.equal(berth('rmi', ref).code, 0);
      assert.deepEqual(berthIn(readFileSync(file), 'load', '-q'), { code: 0, stdout: `Loaded image: ${ref}\n`, stderr: '' });
      same('save', '-o', '/nonexistent/x.tar', ref);
      same('load', '-i', '/nonexistent');
      berth('rmi', ref);
    });
  });

  describe('system', () => {
    test('version and info', () => {
      // What a user checks: the server answers with a version and API 1.41 (whatever the engine).
      assert.match(same('version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}').stdout, /^\S+ 1\.41\n$/);
      assert.match(same('info', '--format', '{{.ServerVersion}} {{.OSType}}').stdout, /^\S+ linux\n$/);
      const v = berth('version');
      assert.equal(v.code, 0);
      assert.match(v.stdout, /^Client:\n Version: +\S+\n API version: +1\.41\n/);
      assert.match(v.stdout, /\nServer:.*\n Engine:\n  Version: +\S+\n  API version: +1\.41 \(minimum version 1\.\d+\)\n/);
      const serverPart = (s: string) => s.slice(s.indexOf('\nServer:'));
      assert.equal(serverPart(v.stdout), serverPart(docker('version').stdout));
      const info = berth('info');
      const dockerInfo = docker('info');
      assert.equal(info.code, 0);
      // The server section is the daemon's; only the client section and docker's own names differ.
      // Container counts may change under other users of the daemon; Runtimes is a Go map (random order);
      // a daemon in debug mode shows its clock.
      const server = (s: string) =>
        s
          .slice(s.indexOf('\nServer:'))
          .replace(/ Containers: \d+\n(  \w+: \d+\n)+/, '')
          .replace(/  System Time: .*\n/, '')
          .replace(/ Runtimes: .*\n/, (line) => `${line.trim().split(' ').sort().join(' ')}\n`);
      assert.equal(server(info.stdout), server(dockerInfo.stdout));
    });

    test('events --since/--until, default and template formats', () => {
      const since = Math.floor(Date.now() / 1000) - 1;
      const ev = `${P}-ev`;
      berth('run', '--name', ev, '-l', 'x=y', IMAGE, 'true');
      berth('rm', ev);
      spawnSync('sleep', ['1.1']);
      const until = String(Math.floor(Date.now() / 1000));
      const r = same('events', '--since', String(since), '--until', until, '--filter', `container=${ev}`);
      assert.match(r.stdout, /container create [0-9a-f]{64} \(image=busybox:latest, name=cli-t\d+-ev, x=y\)\n/);
      same('events', '--since', String(since), '--until', until, '--filter', `container=${ev}`, '--filter', 'event=die', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.exitCode}} {{.Status}}');
      same('events', '--since', String(since), '--until', until, '--filter', `container=${ev}`, '--format', 'json');
      same('events', '--since', '10m', '--until', '0s', '--filter', `container=${ev}`, '--filter', 'event=destroy');
    });
  });
});
