// Volumes through the docker CLI and the berth CLI against a berthd of this file's own:
// named and anonymous volumes, copy-up, rm -v and --rm, --volumes-from, --mount of each
// type, the local driver's tmpfs and bind options, ls filters, inspect, prune, removal
// rules, live restore, crash leftovers, errors and docker-compose.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCommand, startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';

let daemon: TestDaemon;
let scratch: string;

before(async () => {
  daemon = await startDaemonWithBusybox();
  scratch = mkdtempSync(path.join(daemon.dir, 'scratch-'));
});

after(async () => {
  await daemon?.stop();
});

const docker = (...args: string[]) => daemon.docker(args);

const ok = (...args: string[]) => daemon.dockerOk(args);
const berthOk = (...args: string[]) => daemon.berthOk(args);

/** The same command through both CLIs: same output (docker's name for itself aside) and exit code. */
function same(...args: string[]): string {
  const d = daemon.docker(args);
  const b = daemon.berth(args);
  assert.equal(b.code, d.code, `exit codes of ${args.join(' ')}: ${b.stderr} / ${d.stderr}`);
  assert.equal(b.stdout, d.stdout, `stdout of ${args.join(' ')}`);
  assert.equal(b.stderr, d.stderr.replaceAll('docker', 'berth'), `stderr of ${args.join(' ')}`);
  return d.stdout;
}

const volumeNames = () => ok('volume', 'ls', '-q').split('\n').filter(Boolean);
const dataDir = (name: string) => path.join(daemon.dataRoot, 'volumes', name, '_data');
/** inspect's Mounts, by destination (the docker CLI sends -v values in no fixed order). */
const mountsOf = (ref: string) =>
  (JSON.parse(ok('inspect', '-f', '{{json .Mounts}}', ref)) as Record<string, unknown>[]).sort((a, b) => String(a.Destination).localeCompare(String(b.Destination)));
const mountedAt = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);

describe('named volumes', () => {
  test('keep their data across containers; inspect, ls and ps show them', () => {
    ok('run', '--rm', '-v', 'data1:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f');
    assert.equal(ok('run', '--rm', '-v', 'data1:/data:ro', 'busybox', 'cat', '/data/f'), 'kept');
    assert.equal(readFileSync(path.join(dataDir('data1'), 'f'), 'utf8'), 'kept\n');
    const volume = JSON.parse(berthOk('volume', 'inspect', 'data1'))[0];
    assert.deepEqual(Object.keys(volume), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.deepEqual({ ...volume, CreatedAt: '' }, { CreatedAt: '', Driver: 'local', Labels: null, Mountpoint: dataDir('data1'), Name: 'data1', Options: null, Scope: 'local' });
    assert.match(volume.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    same('volume', 'inspect', 'data1');
    ok('run', '-d', '--name', 'holder', '-v', 'data1:/data', '-v', `${scratch}:/host:ro`, 'busybox', 'sleep', '600');
    assert.deepEqual(mountsOf('holder'), [
      { Type: 'volume', Name: 'data1', Source: dataDir('data1'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
      { Type: 'bind', Source: scratch, Destination: '/host', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    ]);
    assert.equal(same('ps', '--filter', 'volume=data1', '--format', '{{.Names}} {{.LocalVolumes}}'), 'holder 1\n');
    assert.equal(ok('ps', '--filter', 'volume=/host', '--format', '{{.Names}}'), 'holder');
    // docker cp goes through the volume, as the container sees it.
    writeFileSync(path.join(scratch, 'to-copy'), 'copied\n');
    ok('cp', path.join(scratch, 'to-copy'), 'holder:/data/copied');
    assert.equal(readFileSync(path.join(dataDir('data1'), 'copied'), 'utf8'), 'copied\n');
    assert.match(same('volume', 'ls'), /^DRIVER +VOLUME NAME\nlocal +data1\n/);
    ok('rm', '-f', 'holder');
  });

  test('a new empty volume gets the image\'s content with its owners and modes; a non-empty or nocopy one does not', () => {
    const context = mkdtempSync(path.join(scratch, 'ctx-'));
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        'FROM busybox',
        'RUN mkdir -p /srv/data/sub && echo hello > /srv/data/greeting && echo deep > /srv/data/sub/f && ln -s greeting /srv/data/link \\',
        '  && chown -R 1000:2000 /srv/data && chmod 0750 /srv/data && chmod 0604 /srv/data/greeting',
        'VOLUME /srv/data',
        '',
      ].join('\n'),
    );
    ok('build', '-q', '-t', 'voltest', context);
    assert.equal(ok('run', '--rm', '-v', 'filled:/srv/data', 'voltest', 'cat', '/srv/data/link', '/srv/data/sub/f'), 'hello\ndeep');
    const stat = (file: string) => {
      const st = statSync(file);
      return `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    };
    assert.equal(stat(dataDir('filled')), '750 1000:2000');
    assert.equal(stat(path.join(dataDir('filled'), 'greeting')), '604 1000:2000');
    // Not empty any more: a second image's content does not go in.
    assert.equal(ok('run', '--rm', '-v', 'filled:/etc', 'busybox', 'sh', '-c', 'cat /etc/greeting; test -e /etc/passwd || echo no-passwd'), 'hello\nno-passwd');
    assert.equal(ok('run', '--rm', '-v', 'bare:/srv/data:nocopy', 'voltest', 'ls', '-A', '/srv/data'), '');
    assert.equal(ok('run', '--rm', '--mount', 'source=bare2,target=/srv/data,volume-nocopy', 'voltest', 'ls', '-A', '/srv/data'), '');
  });
});

describe('anonymous volumes', () => {
  test('VOLUME and -v /path get one each; rm -v removes them but not named ones; --rm too', () => {
    const before = new Set(volumeNames());
    ok('create', '--name', 'anon1', '-v', '/scratch', '-v', 'keepme:/keep', 'voltest', 'true');
    const anonymous = volumeNames().filter((v) => !before.has(v) && v !== 'keepme');
    assert.equal(anonymous.length, 2);
    for (const name of anonymous) assert.match(name, /^[0-9a-f]{64}$/);
    const byDestination = Object.fromEntries(mountsOf('anon1').map((m) => [m.Destination, m]));
    assert.deepEqual(Object.keys(byDestination).sort(), ['/keep', '/scratch', '/srv/data']);
    assert.equal(byDestination['/scratch'].Mode, '');
    assert.ok(anonymous.includes(byDestination['/srv/data'].Name as string));
    // The image's content went into the VOLUME's anonymous volume at create.
    assert.equal(readFileSync(path.join(dataDir(byDestination['/srv/data'].Name as string), 'greeting'), 'utf8'), 'hello\n');
    ok('rm', '-v', 'anon1');
    assert.deepEqual(volumeNames().filter((v) => !before.has(v)), ['keepme']);
    const beforeRm = volumeNames();
    ok('run', '--rm', '-v', '/tmpvol', '-v', 'keepme:/keep', 'voltest', 'true');
    assert.deepEqual(volumeNames(), beforeRm);
  });

  test('--volumes-from takes another container\'s volumes and binds, read-only when asked', () => {
    ok('create', '--name', 'source1', '-v', 'shared1:/shared', '-v', '/anonshared', '-v', `${scratch}:/host`, '--mount', 'type=tmpfs,target=/own', 'busybox', 'true');
    ok('run', '--rm', '--volumes-from', 'source1', 'busybox', 'sh', '-c', 'echo via-from > /shared/f && echo anon > /anonshared/f');
    assert.equal(readFileSync(path.join(dataDir('shared1'), 'f'), 'utf8'), 'via-from\n');
    const ro = docker('run', '--rm', '--volumes-from', 'source1:ro', 'busybox', 'touch', '/shared/g');
    assert.equal(ro.code, 1);
    assert.match(ro.stderr, /Read-only file system/);
    ok('create', '--name', 'taker', '--volumes-from', 'source1:ro', '-v', 'other1:/shared', 'busybox', 'true');
    const mounts = Object.fromEntries(mountsOf('taker').map((m) => [m.Destination, m]));
    assert.deepEqual(Object.keys(mounts).sort(), ['/anonshared', '/host', '/shared']);
    assert.equal(mounts['/shared'].Name, 'other1');
    assert.deepEqual({ ...mounts['/anonshared'], Name: '' }, { Type: 'volume', Name: '', Source: mounts['/anonshared'].Source, Destination: '/anonshared', Driver: 'local', Mode: '', RW: false, Propagation: '' });
    assert.deepEqual(mounts['/host'], { Type: 'bind', Source: scratch, Destination: '/host', Mode: '', RW: false, Propagation: 'rprivate' });
    // rm -v of the taker leaves the source's anonymous volume, which source1 still uses.
    ok('rm', '-v', 'taker');
    assert.ok(volumeNames().includes(mounts['/anonshared'].Name as string));
    assert.match(same('create', '--volumes-from', 'nosuch', 'busybox', 'true'), /^$/);
    assert.match(docker('create', '--volumes-from', 'nosuch', 'busybox', 'true').stderr, /No such container: nosuch/);
    ok('rm', '-v', 'source1');
    assert.ok(!volumeNames().includes(mounts['/anonshared'].Name as string));
  });
});

describe('--mount and --tmpfs', () => {
  test('type=volume, bind and tmpfs, and --tmpfs, as dockerd mounts them', () => {
    const out = ok(
      'run', '--rm',
      '--mount', 'type=volume,source=mv1,target=/mv,volume-label=made=by-mount',
      '--mount', `type=bind,source=${scratch},target=/b,readonly`,
      '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770',
      '--tmpfs', '/t2:size=2m,mode=700',
      'busybox', 'sh', '-c', 'echo x > /mv/f && stat -c %a /t /t2 && mount | grep -E " /(b|t|t2) " | cut -d" " -f3,5,6 && touch /b/x 2>&1 || true',
    ).split('\n');
    assert.deepEqual(out.slice(0, 2), ['1770', '700']);
    assert.match(out[2], /^\/b \S+ \(ro,/);
    assert.deepEqual(out.slice(3), [
      '/t tmpfs (rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770)',
      '/t2 tmpfs (rw,nosuid,nodev,noexec,relatime,size=2048k,mode=700)',
      'touch: /b/x: Read-only file system',
    ]);
    assert.equal(JSON.parse(ok('volume', 'inspect', '-f', '{{json .Labels}}', 'mv1')).made, 'by-mount');
    ok('create', '--name', 'mounts1', '--mount', 'type=volume,target=/anon', '--mount', 'type=tmpfs,target=/t', '--tmpfs', '/t2', 'busybox', 'true');
    const mounts = mountsOf('mounts1');
    assert.equal(mounts.length, 2, 'a --tmpfs is no mount point in inspect');
    assert.deepEqual({ ...mounts[0], Name: '', Source: '' }, { Type: 'volume', Name: '', Source: '', Destination: '/anon', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
    assert.deepEqual(mounts[1], { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' });
    ok('rm', '-v', 'mounts1');
  });

  test('volume-subpath mounts a directory of the volume and never one outside it', () => {
    ok('run', '--rm', '-v', 'subs:/v', 'busybox', 'sh', '-c', 'mkdir -p /v/a/b && echo inner > /v/a/b/f && ln -s / /v/escape && ln -s ../../.. /v/a/up');
    assert.equal(ok('run', '--rm', '--mount', 'source=subs,target=/s,volume-subpath=a/b', 'busybox', 'cat', '/s/f'), 'inner');
    // Links resolve inside the volume: both land on its root, not the host's.
    assert.equal(ok('run', '--rm', '--mount', 'source=subs,target=/s,volume-subpath=escape', 'busybox', 'ls', '/s'), 'a\nescape');
    assert.equal(ok('run', '--rm', '--mount', 'source=subs,target=/s,volume-subpath=a/up', 'busybox', 'ls', '/s'), 'a\nescape');
    const out = docker('run', '--rm', '--mount', 'source=subs,target=/s,volume-subpath=../x', 'busybox', 'true');
    assert.equal(out.code, 125);
    assert.match(out.stderr, /subpath must be a relative path within the volume/);
    const missing = docker('run', '--rm', '--mount', 'source=subs,target=/s,volume-subpath=nope', 'busybox', 'true');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot access path .*nope: no such file or directory/);
  });

  test('mount errors are dockerd\'s', () => {
    const cases: [string[], RegExp][] = [
      // (`-v x:/data` would be a Windows drive to the docker CLI.)
      [['--mount', 'source=x,target=/data'], /create x: volume name is too short, names should be at least two alphanumeric characters/],
      [['-v', 'bad$name:/data'], /"bad\$name" includes invalid characters for a local volume name/],
      [['-v', 'name:rel'], /invalid volume specification: 'name:rel': invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute/],
      [['-v', 'name:/x:rshared'], /field BindOptions must not be specified/],
      [['-v', 'name:/x:foo'], /invalid mode: foo/],
      [['-v', 'n1:/x', '-v', 'n2:/x'], /Duplicate mount point: \/x/],
      [['--mount', 'type=bind,source=/nonexistent-berth,target=/x'], /invalid mount config for type "bind": bind source path does not exist: \/nonexistent-berth/],
      [['--mount', 'type=volume,target=/x,readonly'], /must not set ReadOnly mode when using anonymous volumes/],
      [['--mount', 'type=volume,source=optv,target=/x,volume-opt=foo=bar'], /create optv: invalid option: "foo"/],
      [['--tmpfs', '/x:foo'], /invalid tmpfs option \["foo"\]/],
    ];
    for (const [flags, message] of cases) {
      const r = docker('create', ...flags, 'busybox', 'true');
      assert.notEqual(r.code, 0, flags.join(' '));
      assert.match(r.stderr, message, flags.join(' '));
    }
  });

  test('an unknown volume driver is a 404, as in dockerd (the docker CLI would take it for a missing image)', async () => {
    const r = await daemon.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { VolumeDriver: 'nosuch', Binds: ['drv:/x'] } });
    assert.deepEqual([r.status, r.body.message], [404, 'create drv: error looking up volume plugin nosuch: plugin "nosuch" not found']);
  });
});

describe('removal and prune', () => {
  test('a volume in use by any container cannot be removed, even with -f', () => {
    ok('create', '--name', 'user1', '-v', 'busy:/data', 'busybox', 'true');
    const id = ok('inspect', '-f', '{{.Id}}', 'user1');
    const rm = same('volume', 'rm', 'busy');
    assert.equal(rm, '');
    const forced = docker('volume', 'rm', '-f', 'busy');
    assert.equal(forced.code, 1);
    assert.equal(forced.stderr, `Error response from daemon: remove busy: volume is in use - [${id}]\n`);
    same('volume', 'rm', '-f', 'nosuch');
    same('volume', 'rm', 'nosuch');
    ok('rm', 'user1');
    assert.equal(berthOk('volume', 'rm', 'busy'), 'busy');
  });

  test('prune removes every unused volume without driver options, with label filters', async () => {
    berthOk('volume', 'prune', '-f');
    ok('volume', 'create', '--label', 'keep=yes', 'pr-keep');
    ok('volume', 'create', 'pr-gone');
    ok('volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'pr-opts');
    ok('create', '--name', 'pr-user', '-v', 'pr-used:/x', 'busybox', 'true');
    writeFileSync(path.join(dataDir('pr-gone'), 'f'), 'x'.repeat(1000));
    assert.equal(berthOk('volume', 'prune', '-f', '--filter', 'label!=keep=yes'), 'Deleted Volumes:\npr-gone\n\nTotal reclaimed space: 1kB');
    const left = volumeNames();
    for (const name of ['pr-keep', 'pr-opts', 'pr-used']) assert.ok(left.includes(name), name);
    assert.equal(berthOk('volume', 'prune', '-f', '--filter', 'label=keep=yes'), 'Deleted Volumes:\npr-keep\n\nTotal reclaimed space: 0B');
    assert.equal(same('volume', 'prune', '-f', '--filter', 'label=nothing'), 'Total reclaimed space: 0B\n');
    same('volume', 'prune', '-f', '--filter', 'until=1h');
    assert.deepEqual((await daemon.api('POST', '/volumes/prune?filters={"label":["nothing"]}')).body, { VolumesDeleted: [], SpaceReclaimed: 0 });
    same('volume', 'prune', '-a', '-f');
    const declined = daemon.berth(['volume', 'prune'], { input: 'n\n' });
    assert.equal(declined.code, 0);
    assert.equal(declined.stdout, 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ');
    ok('rm', 'pr-user');
    ok('volume', 'rm', 'pr-used', 'pr-opts');
  });
});

describe('the local driver\'s options', () => {
  test('a tmpfs volume is mounted while containers use it and shared between them', () => {
    ok('volume', 'create', '--driver', 'local', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=10m,uid=1000', 'tmpv');
    assert.deepEqual(JSON.parse(ok('volume', 'inspect', '-f', '{{json .Options}}', 'tmpv')), { device: 'tmpfs', o: 'size=10m,uid=1000', type: 'tmpfs' });
    assert.ok(!mountedAt(dataDir('tmpv')));
    ok('run', '-d', '--name', 'tmp-a', '-v', 'tmpv:/t', 'busybox', 'sh', '-c', 'echo shared > /t/f; sleep 600');
    assert.ok(mountedAt(dataDir('tmpv')));
    assert.equal(ok('run', '--rm', '-v', 'tmpv:/t', 'busybox', 'sh', '-c', 'cat /t/f; stat -c %u /t; df -k /t | tail -1 | tr -s " " | cut -d" " -f2'), 'shared\n1000\n10240');
    assert.ok(mountedAt(dataDir('tmpv')), 'still mounted for tmp-a');
    ok('rm', '-f', 'tmp-a');
    assert.ok(!mountedAt(dataDir('tmpv')));
    assert.equal(ok('run', '--rm', '-v', 'tmpv:/t', 'busybox', 'ls', '-A', '/t'), '', 'a new tmpfs for a new first user');
  });

  test('a bind volume shows a host directory, which outlives the volume', () => {
    const host = mkdtempSync(path.join(scratch, 'bindvol-'));
    writeFileSync(path.join(host, 'from-host'), 'host\n');
    ok('volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'bindv');
    assert.equal(ok('run', '--rm', '-v', 'bindv:/b', 'busybox', 'sh', '-c', 'cat /b/from-host; echo ctr > /b/from-ctr'), 'host');
    assert.equal(readFileSync(path.join(host, 'from-ctr'), 'utf8'), 'ctr\n');
    ok('volume', 'rm', 'bindv');
    assert.equal(readFileSync(path.join(host, 'from-host'), 'utf8'), 'host\n');
    assert.ok(!existsSync(path.join(daemon.dataRoot, 'volumes', 'bindv')));
  });

  test('options are checked as dockerd checks them', () => {
    same('volume', 'create', '-o', 'type=tmpfs', 'noDevice');
    same('volume', 'create', '-o', 'o=size=1m', 'noDevice');
    same('volume', 'create', '-o', 'size=10m', 'quota');
    same('volume', 'create', '-d', 'nosuch', 'plugin');
  });
});

describe('the volume API and CLI', () => {
  test('create returns an existing volume as it is; names are checked', async () => {
    const first = await daemon.api('POST', '/volumes/create', { Name: 'apiv', Labels: { v: '1' } });
    assert.equal(first.status, 201);
    const again = await daemon.api('POST', '/volumes/create', { Name: 'apiv', Labels: { v: '2' } });
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    const anonymous = await daemon.api('POST', '/volumes/create', {});
    assert.match(anonymous.body.Name, /^[0-9a-f]{64}$/);
    assert.equal(anonymous.body.Labels, null);
    for (const name of ['../x', '.hidden', 'a/b', 'x']) {
      const r = await daemon.api('POST', '/volumes/create', { Name: name });
      assert.equal(r.status, 400, name);
    }
    assert.ok(!existsSync(path.join(daemon.dataRoot, 'x')));
    const missing = await daemon.api('GET', '/volumes/nosuch');
    assert.deepEqual([missing.status, missing.body.message], [404, 'get nosuch: no such volume']);
    const removed = await daemon.api('DELETE', '/volumes/apiv');
    assert.equal(removed.status, 204);
    await daemon.api('DELETE', `/volumes/${anonymous.body.Name}`);
    const made = berthOk('volume', 'create');
    assert.match(made, /^[0-9a-f]{64}$/);
    assert.equal(berthOk('volume', 'ls', '-q', '--filter', `name=${made}`), made);
    berthOk('volume', 'rm', made);
  });

  test('ls filters: dangling, name, driver, label', () => {
    ok('volume', 'create', '--label', 'tier=db', '--label', 'solo', 'lsa');
    ok('volume', 'create', '--label', 'tier=web', 'lsb');
    ok('create', '--name', 'ls-user', '-v', 'lsb:/x', 'busybox', 'true');
    const names = (...filters: string[]) => same('volume', 'ls', '-q', ...filters.flatMap((f) => ['--filter', f])).split('\n').filter((n) => n.startsWith('ls'));
    assert.deepEqual(names('name=ls'), ['lsa', 'lsb']);
    assert.deepEqual(names('name=^lsb$'), ['lsb']);
    assert.deepEqual(names('label=tier'), ['lsa', 'lsb']);
    assert.deepEqual(names('label=tier=db'), ['lsa']);
    assert.deepEqual(names('label=solo', 'label=tier=db'), ['lsa']);
    assert.deepEqual(names('dangling=true'), ['lsa']);
    assert.deepEqual(names('dangling=0'), ['lsb']);
    assert.deepEqual(names('driver=local', 'name=ls'), ['lsa', 'lsb']);
    assert.deepEqual(names('driver=loc'), []);
    same('volume', 'ls', '--filter', 'dangling=maybe');
    same('volume', 'ls', '--filter', 'color=red');
    same('volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{.Label "tier"}} {{.Links}} {{.Size}}', '--filter', 'name=lsb');
    same('volume', 'ls', '--format', 'table {{.Name}}\t{{.Mountpoint}}', '--filter', 'name=ls');
    same('volume', 'ls', '--format', 'json', '--filter', 'name=lsb');
    same('volume', 'ls', '--format', '{{.ID}}');
    same('volume', 'inspect', '-f', '{{.Name}} {{.Labels.tier}} {{.Mountpoint}}', 'lsa', 'lsb');
    same('volume', 'inspect', 'lsa', 'nosuch');
    same('inspect', '--type', 'volume', '-f', '{{.Driver}}', 'lsa');
    same('volume', 'create', 'x');
    same('volume', 'create', '--name', 'a1', 'a2');
    ok('rm', 'ls-user');
    ok('volume', 'rm', 'lsa', 'lsb');
  });

  test('events: create, mount, unmount and destroy', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    ok('run', '--rm', '-v', 'evvol:/x', 'busybox', 'true');
    ok('volume', 'rm', 'evvol');
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const events = ok('events', '--since', since, '--until', until, '--filter', 'type=volume', '--filter', 'volume=evvol', '--format', '{{.Action}} {{json .Actor.Attributes}}')
      .split('\n')
      .filter((l) => !l.startsWith('prune'));
    assert.equal(events.length, 4, events.join('\n'));
    assert.equal(events[0], 'create {"driver":"local"}');
    assert.match(events[1], /^mount \{"container":"[0-9a-f]{64}","destination":"\/x","driver":"local","propagation":"","read\/write":"true"\}$/);
    assert.match(events[2], /^unmount \{"container":"[0-9a-f]{64}","driver":"local"\}$/);
    assert.equal(events[3], 'destroy {"driver":"local"}');
  });
});

describe('restarts and crashes', () => {
  test('a tmpfs volume in use stays mounted and shared across a berthd crash, and goes when its user stops', async () => {
    ok('volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'livev');
    ok('run', '-d', '--name', 'live1', '-v', 'livev:/t', 'busybox', 'sh', '-c', 'echo before-crash > /t/f; sleep 600');
    await daemon.kill();
    // Leftovers of creates and removes a crash interrupted: gone at start, never listed.
    const root = path.join(daemon.dataRoot, 'volumes');
    mkdirSync(path.join(root, '.tmp-half-0123'), { recursive: true });
    mkdirSync(path.join(root, '.removed-old-4567', '_data'), { recursive: true });
    const outside = mkdtempSync(path.join(scratch, 'outside-'));
    writeFileSync(path.join(outside, 'precious'), 'keep');
    runCommand('mount', ['--bind', outside, path.join(root, '.removed-old-4567', '_data')], {}, {});
    mkdirSync(path.join(root, 'norecord', '_data'), { recursive: true });
    await daemon.start();
    assert.ok(mountedAt(dataDir('livev')));
    assert.equal(ok('run', '--rm', '-v', 'livev:/t', 'busybox', 'cat', '/t/f'), 'before-crash');
    assert.ok(!existsSync(path.join(root, '.tmp-half-0123')));
    assert.ok(!existsSync(path.join(root, '.removed-old-4567')));
    assert.equal(readFileSync(path.join(outside, 'precious'), 'utf8'), 'keep', 'deleting a leftover never reaches through a mount');
    assert.ok(!volumeNames().includes('norecord'));
    ok('stop', '-t', '1', 'live1');
    assert.ok(!mountedAt(dataDir('livev')));
    ok('rm', 'live1');
    ok('volume', 'rm', 'livev');
    rmSync(path.join(root, 'norecord'), { recursive: true });
  });

  test('a symlinked volume directory is no way out', () => {
    ok('volume', 'create', 'linked');
    // Even if the volume's own directory were a link, removing it deletes only the link.
    const target = mkdtempSync(path.join(scratch, 'target-'));
    writeFileSync(path.join(target, 'precious'), 'keep');
    rmSync(dataDir('linked'), { recursive: true });
    symlinkSync(target, dataDir('linked'));
    ok('volume', 'rm', 'linked');
    assert.equal(readFileSync(path.join(target, 'precious'), 'utf8'), 'keep');
  });
});

describe('docker-compose', () => {
  test('a named volume shared by two services, removed by down -v', (t) => {
    if (runCommand('docker-compose', ['version'], {}, {}).code !== 0) return t.skip('docker-compose is not installed');
    const dir = mkdtempSync('/tmp/berth-compose-vol-');
    writeFileSync(
      `${dir}/docker-compose.yml`,
      [
        'version: "3.8"',
        'services:',
        '  writer:',
        '    image: busybox',
        "    command: sh -c 'echo from-compose > /data/f'",
        '    volumes: [data:/data]',
        '  reader:',
        '    image: busybox',
        '    command: sleep 600',
        '    depends_on: [writer]',
        '    volumes:',
        '      - data:/data:ro',
        '      - type: tmpfs',
        '        target: /scratch',
        'volumes:',
        '  data:',
        '    labels: {purpose: test}',
        '',
      ].join('\n'),
    );
    const compose = (...args: string[]) => runCommand('docker-compose', ['--project-directory', dir, '-f', `${dir}/docker-compose.yml`, '-p', 'berthvol', ...args], { DOCKER_HOST: daemon.host }, { timeoutMs: 120000 });
    try {
      const up = compose('up', '-d');
      assert.equal(up.code, 0, up.stderr);
      ok('wait', 'berthvol_writer_1');
      assert.equal(ok('exec', 'berthvol_reader_1', 'cat', '/data/f'), 'from-compose');
      assert.equal(ok('volume', 'inspect', '-f', '{{index .Labels "purpose"}} {{index .Labels "com.docker.compose.volume"}}', 'berthvol_data'), 'test data');
      assert.equal(ok('inspect', '-f', '{{range .Mounts}}{{.Type}}:{{.Destination}}:{{.RW}} {{end}}', 'berthvol_reader_1'), 'volume:/data:false tmpfs:/scratch:true');
    } finally {
      const down = compose('down', '-v');
      rmSync(dir, { recursive: true, force: true });
      assert.equal(down.code, 0, down.stderr);
    }
    assert.ok(!volumeNames().includes('berthvol_data'));
  });
});
