// The parsing side of volumes: -v and --mount as the docker CLI (28.2.2) reads them, the mounts
// a create request asks for as dockerd 20.10.24 checks and assembles them, and mount options.
// Expected values and messages were taken from those two.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostConfig } from '../../src/api/types.js';
import type { ContainerRecord } from '../../src/store/container-store.js';
import { parseMountOpt, volumeSource } from '../../src/cli/util/mount-opts.js';
import { ociMount, parseBinds, requestedMounts, storedMount, tmpfsMounts } from '../../src/daemon/services/mounts.js';
import { mergeTmpfsOptions, parseMountOptions } from '../../src/runtime/mount-options.js';

test('-v: which values are binds, and the loader\'s errors', () => {
  assert.equal(volumeSource('/data'), '');
  assert.equal(volumeSource('name:/data'), 'name');
  assert.equal(volumeSource('/host:/data:ro'), '/host');
  assert.equal(volumeSource('C:/x'), '', 'a Windows drive is no separator');
  assert.equal(volumeSource('a:b:c:d'), 'a:b');
  assert.throws(() => volumeSource(''), /^Error: invalid empty volume spec$/);
  assert.throws(() => volumeSource(':/x'), /^Error: invalid spec: :\/x: empty section between colons$/);
  assert.throws(() => volumeSource('/a:/b:ro:x'), /^Error: invalid spec: \/a:\/b:ro:x: too many colons$/);
});

test('--mount: the HostConfig.Mounts entries docker sends', () => {
  assert.deepEqual(parseMountOpt('type=volume,target=/mv'), { Type: 'volume', Target: '/mv' });
  assert.deepEqual(parseMountOpt('source=mvol,target=/mv2,volume-label=l=1,volume-nocopy,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-driver=local'), {
    Type: 'volume',
    Source: 'mvol',
    Target: '/mv2',
    VolumeOptions: { NoCopy: true, Labels: { l: '1' }, DriverConfig: { Name: 'local', Options: { device: 'tmpfs', type: 'tmpfs' } } },
  });
  assert.deepEqual(parseMountOpt('type=bind,src=/tmp,dst=/b,ro=true,bind-nonrecursive,bind-propagation=RSLAVE,consistency=cached'), {
    Type: 'bind',
    Source: '/tmp',
    Target: '/b',
    ReadOnly: true,
    Consistency: 'cached',
    BindOptions: { Propagation: 'rslave', NonRecursive: true },
  });
  assert.deepEqual(parseMountOpt('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770'), { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } });
  assert.deepEqual(parseMountOpt('type=volume,target=/x,volume-label==b'), { Type: 'volume', Target: '/x', VolumeOptions: { DriverConfig: {} } });
  assert.throws(() => parseMountOpt('type=volume'), /^Error: target is required$/);
  assert.throws(() => parseMountOpt('foo'), /^Error: invalid field 'foo' must be a key=value pair$/);
  assert.throws(() => parseMountOpt('target=/x,bind-propagation=shared'), /^Error: cannot mix 'bind-\*' options with mount type 'volume'$/);
  assert.throws(() => parseMountOpt('type=tmpfs,target=/x,tmpfs-mode=9'), /^Error: invalid value for tmpfs-mode: 9$/);
  assert.throws(() => parseMountOpt('target=/x,zz=1'), /^Error: unexpected key 'zz' in 'zz=1'$/);
});

test('Binds: dockerd\'s checks, modes and the local driver\'s "z"', () => {
  const [volume, bind] = parseBinds(['data:/data', '/host:/h/:ro,rshared']);
  assert.deepEqual([volume.type, volume.source, volume.destination, volume.mode, volume.copyData], ['volume', 'data', '/data', 'z', true]);
  assert.deepEqual([bind.type, bind.source, bind.destination, bind.mode, bind.readOnly, bind.propagation], ['bind', '/host', '/h', 'ro,rshared', true, 'rshared']);
  assert.equal(parseBinds(['n:/x:nocopy'])[0].copyData, false);
  const fails = (spec: string, message: string) => assert.throws(() => parseBinds([spec]), (err: Error) => err.message === message, spec);
  fails('/x:ro', "invalid volume specification: '/x:ro'");
  fails('n:/x:foo', 'invalid mode: foo');
  fails('n:/x:ro,rw', 'invalid mode: ro,rw');
  fails('x:/', `invalid volume specification: 'x:/': invalid mount config for type "volume": invalid specification: destination can't be '/'`);
  fails('/tmp:/x:nocopy', `invalid volume specification: '/tmp:/x:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`);
});

test('a create request\'s mounts: --volumes-from, then binds, then --mount, then the VOLUMEs left', () => {
  const other = {
    mounts: [
      { Type: 'volume', Name: 'shared', Source: '/v/shared/_data', Destination: '/shared', Driver: 'local', Mode: 'z', RW: true, Propagation: '', Named: true },
      { Type: 'bind', Source: '/host', Destination: '/data', Mode: '', RW: true, Propagation: 'rprivate' },
      { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
    ],
  } as unknown as ContainerRecord;
  const mounts = requestedMounts(
    { VolumesFrom: ['other:ro'], Binds: ['mine:/data'], Mounts: [{ Type: 'tmpfs', Target: '/scratch' }], Tmpfs: { '/run': '' } },
    { Volumes: { '/data': {}, '/run': {}, '/cache/': {} } },
    (ref) => (ref === 'other' ? other : undefined),
  );
  assert.deepEqual(
    mounts.map((m) => [m.type, m.destination, m.source, m.readOnly]),
    [
      ['volume', '/shared', 'shared', true],
      ['volume', '/data', 'mine', false],
      ['tmpfs', '/scratch', '', false],
      ['volume', '/cache', '', false],
    ],
  );
  const request = (hostConfig: HostConfig) => () => requestedMounts(hostConfig, {}, () => undefined);
  assert.throws(request({ Binds: ['aa:/x'], Tmpfs: { '/x': '' } }), /^Error: Duplicate mount point: \/x$/);
  assert.throws(request({ Mounts: [{ Type: 'volume', Target: '/x' }, { Type: 'tmpfs', Target: '/x' }] }), /^Error: Duplicate mount point: \/x$/);
  assert.throws(request({ VolumesFrom: ['other:xx'] }), /^Error: invalid mode: xx$/);
  assert.throws(request({ VolumesFrom: ['nosuch'] }), /^Error: No such container: nosuch$/);
  assert.throws(request({ Mounts: [{ Type: 'foo', Target: '/x' }] }), /^Error: invalid mount config for type "foo": mount type unknown$/);
  assert.throws(request({ Tmpfs: { x: '' } }), /^Error: invalid mount path: 'x' mount path must be absolute$/);
});

test('the runtime\'s mounts: dockerd\'s options for binds, volumes and tmpfs', () => {
  const [bind] = parseBinds(['/host:/h:ro']);
  assert.deepEqual(ociMount(storedMount(bind)), { destination: '/h', type: 'bind', source: '/host', options: ['rbind', 'ro', 'rprivate'] });
  const [tmpfs] = requestedMounts({ Mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } }] }, {}, () => undefined);
  assert.deepEqual(ociMount(storedMount(tmpfs)).options, ['noexec', 'nosuid', 'nodev', 'rprivate', 'mode=1770', 'size=1m']);
  assert.deepEqual(tmpfsMounts({ Tmpfs: { '/run': 'exec,size=2m,mode=700' } }), [
    { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'rprivate', 'exec', 'size=2m', 'mode=700'] },
  ]);
});

test('mount options: flags and data as moby/sys/mount splits them; tmpfs merging', () => {
  assert.deepEqual(parseMountOptions('size=10m,uid=1000'), { flags: 0, data: 'size=10m,uid=1000' });
  assert.deepEqual(parseMountOptions('bind,ro'), { flags: 0x1000 | 0x1, data: '' });
  assert.deepEqual(parseMountOptions('rbind,rw,noexec'), { flags: 0x1000 | 0x4000 | 0x8, data: '' });
  assert.deepEqual(mergeTmpfsOptions(['noexec', 'nosuid', 'rprivate', 'exec', 'rshared', 'size=1m', 'size=2m']), ['nosuid', 'exec', 'rshared', 'size=2m']);
  assert.throws(() => mergeTmpfsOptions(['foo']), /^Error: invalid tmpfs option \["foo"\]$/);
  assert.throws(() => mergeTmpfsOptions(['bad=1']), /^Error: invalid tmpfs option \["bad" "1"\]$/);
});
