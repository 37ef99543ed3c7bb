import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  buildOciSpec,
  capabilitiesFromMask,
  containerEnv,
  findInitBinary,
  listHostDevices,
  normalizeCapability,
  resolveCapabilities,
  type OciSpec,
  type OciSpecInput,
} from '../../src/runtime/oci-spec.js';
import { defaultSeccompProfile, type LinuxSeccomp } from '../../src/runtime/seccomp-default.js';
import { ApiError } from '../../src/common/errors.js';

const DIR = '/var/lib/berth/containers/abc';

// Every capability but CAP_SYS_RESOURCE, like the hosts berth is developed on.
const HOST_CAPS = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');

function spec(extra: Partial<OciSpecInput> = {}): OciSpec {
  return buildOciSpec({
    args: ['sleep', '100'],
    env: containerEnv([], { hostname: 'abc' }),
    user: { uid: 0, gid: 0, additionalGids: [0] },
    hostname: 'abc',
    rootfs: '/var/lib/berth/overlay/abc/merged',
    containerFiles: { resolvConf: `${DIR}/resolv.conf`, hostname: `${DIR}/hostname`, hosts: `${DIR}/hosts` },
    cgroupsPath: '/berth/abc',
    hostCapabilities: HOST_CAPS,
    hostDevices: [{ path: '/dev/kvm', type: 'c', major: 10, minor: 232, fileMode: 0o600, uid: 0, gid: 0 }],
    ...extra,
  });
}

/** The CapEff-style hex mask of a list of capability names. */
function mask(caps: string[]): string {
  let m = 0n;
  for (const c of caps) m |= 1n << BigInt(ALL_CAPABILITIES.indexOf(c));
  return m.toString(16).padStart(16, '0');
}

const mount = (s: OciSpec, dest: string) => s.mounts.find((m) => m.destination === dest);
const allowed = (sc: LinuxSeccomp, name: string) =>
  sc.syscalls!.filter((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes(name));

test('default container gets Docker 14 capabilities, effective and permitted, none inheritable', () => {
  const s = spec();
  const caps = s.process.capabilities;
  assert.deepEqual(caps.bounding, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(caps.effective, caps.bounding);
  assert.deepEqual(caps.permitted, caps.bounding);
  assert.equal(caps.inheritable, undefined);
  assert.equal(caps.ambient, undefined);
  assert.equal(mask(caps.bounding!), '00000000a80425fb');
  assert.equal(s.process.noNewPrivileges, undefined);
  assert.equal(s.process.oomScoreAdj, 0);
  assert.equal(s.ociVersion, '1.0.2-dev');
});

test('default mounts are Docker 20.10 mounts, in its order', () => {
  const s = spec();
  assert.deepEqual(
    s.mounts.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts'],
  );
  assert.deepEqual(mount(s, '/dev/pts')!.options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
  assert.deepEqual(mount(s, '/dev/shm'), {
    destination: '/dev/shm',
    type: 'tmpfs',
    source: 'shm',
    options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'],
  });
  assert.ok(mount(s, '/sys')!.options!.includes('ro'));
  assert.equal(mount(s, '/sys/fs/cgroup')!.type, 'cgroup');
  assert.ok(mount(s, '/sys/fs/cgroup')!.options!.includes('ro'));
  assert.deepEqual(mount(s, '/etc/hosts'), {
    destination: '/etc/hosts',
    type: 'bind',
    source: `${DIR}/hosts`,
    options: ['rbind', 'rprivate'],
  });
});

test('masked and read-only paths, namespaces, sysctls, device rules', () => {
  const s = spec();
  for (const p of ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/sched_debug', '/sys/firmware', '/proc/acpi']) {
    assert.ok(s.linux.maskedPaths!.includes(p), p);
  }
  assert.deepEqual(s.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  assert.deepEqual(
    s.linux.namespaces.map((n) => n.type),
    ['mount', 'network', 'uts', 'pid', 'ipc'],
  );
  assert.deepEqual(s.linux.sysctl, {
    'net.ipv4.ip_unprivileged_port_start': '0',
    'net.ipv4.ping_group_range': '0 2147483647',
  });
  const rules = s.linux.resources!.devices!;
  assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
  assert.ok(rules.some((r) => r.allow && r.type === 'c' && r.major === 1 && r.minor === 3)); // null
  assert.ok(rules.some((r) => !r.allow && r.major === 10 && r.minor === 229)); // fuse stays denied
  assert.equal(s.linux.devices, undefined);
  assert.equal(s.linux.cgroupsPath, '/berth/abc');
  assert.equal(s.hostname, 'abc');
});

test('default seccomp profile: allow-list with EPERM, no mount, masked clone', () => {
  const sc = spec().linux.seccomp!;
  assert.equal(sc.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(sc.defaultErrnoRet, 1);
  assert.deepEqual(sc.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  for (const name of ['read', 'write', 'execve', 'openat', 'chroot', 'arch_prctl', 'ptrace']) {
    assert.ok(allowed(sc, name).length > 0, name);
  }
  for (const name of ['mount', 'umount2', 'unshare', 'setns', 'reboot', 'init_module', 'bpf', 'open_by_handle_at']) {
    assert.equal(allowed(sc, name).length, 0, name);
  }
  const clone = allowed(sc, 'clone');
  assert.equal(clone.length, 1);
  assert.deepEqual(clone[0]!.args, [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.deepEqual(
    sc.syscalls!.find((r) => r.names.includes('clone3')),
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  );
  assert.deepEqual(allowed(sc, 'socket')[0]!.args, [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]);
  assert.equal(allowed(sc, 'personality').length, 5);
});

test('seccomp follows capabilities the way moby does', () => {
  const admin = spec({ capAdd: ['SYS_ADMIN'] }).linux.seccomp!;
  assert.ok(allowed(admin, 'mount').length > 0);
  assert.ok(allowed(admin, 'unshare').length > 0);
  assert.equal(allowed(admin, 'clone')[0]!.args, undefined); // unrestricted clone
  assert.equal(admin.syscalls!.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO'), false);

  const ptrace = spec({ capAdd: ['sys_ptrace'] }).linux.seccomp!;
  assert.ok(allowed(ptrace, 'process_vm_readv').length > 0);

  const noChroot = spec({ capDrop: ['SYS_CHROOT'] }).linux.seccomp!;
  assert.equal(allowed(noChroot, 'chroot').length, 0);

  const bpf = defaultSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_BPF'], { arch: 'amd64', kernel: '6.1.0' });
  assert.ok(allowed(bpf, 'bpf').length > 0);

  const oldKernel = defaultSeccompProfile([...DEFAULT_CAPABILITIES], { arch: 'amd64', kernel: '4.4.0-210-generic' });
  assert.equal(allowed(oldKernel, 'ptrace').length, 0);

  const arm = defaultSeccompProfile([...DEFAULT_CAPABILITIES], { arch: 'arm64', kernel: '6.1.0' });
  assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.equal(allowed(arm, 'arch_prctl').length, 0);
  assert.ok(allowed(arm, 'set_tls').length > 0);
});

test('cap-add and cap-drop accept Docker spellings and ALL', () => {
  const s = spec({ capAdd: ['NET_ADMIN'], capDrop: ['CAP_CHOWN'] });
  assert.ok(s.process.capabilities.bounding!.includes('CAP_NET_ADMIN'));
  assert.ok(!s.process.capabilities.bounding!.includes('CAP_CHOWN'));
  assert.equal(mask(s.process.capabilities.effective!), '00000000a80435fa');

  assert.equal(normalizeCapability('net_raw'), 'CAP_NET_RAW');
  assert.equal(normalizeCapability('all'), 'ALL');
  assert.deepEqual(resolveCapabilities([], ['ALL'], HOST_CAPS), []);
  assert.deepEqual(resolveCapabilities(['kill'], ['all'], HOST_CAPS), ['CAP_KILL']);
  assert.deepEqual(resolveCapabilities(['ALL'], ['NET_ADMIN'], HOST_CAPS), HOST_CAPS.filter((c) => c !== 'CAP_NET_ADMIN'));
  assert.deepEqual(resolveCapabilities(['CHOWN'], [], HOST_CAPS), [...DEFAULT_CAPABILITIES]); // no duplicate

  assert.throws(
    () => resolveCapabilities(['FOO'], []),
    (e: unknown) => e instanceof ApiError && e.statusCode === 400 && e.message === 'invalid CapAdd: unknown capability: "CAP_FOO"',
  );
  assert.throws(() => resolveCapabilities([], ['bar']), /invalid CapDrop: unknown capability: "CAP_BAR"/);
});

test('a non-root user keeps only the bounding set', () => {
  const s = spec({ user: { uid: 1000, gid: 1000, additionalGids: [1000] } });
  assert.deepEqual(s.process.capabilities, { bounding: [...DEFAULT_CAPABILITIES] });
  assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [1000] });
  // uid 0 with another group is still root
  assert.ok(spec({ user: { uid: 0, gid: 1000 } }).process.capabilities.effective);
});

test('privileged: host capabilities, no seccomp, no masking, writable sysfs, all devices', () => {
  const s = spec({ privileged: true, capDrop: ['CHOWN'] });
  assert.deepEqual(s.process.capabilities.bounding, HOST_CAPS);
  assert.equal(s.linux.seccomp, undefined);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.ok(!mount(s, '/sys')!.options!.includes('ro'));
  assert.ok(!mount(s, '/sys/fs/cgroup')!.options!.includes('ro'));
  assert.deepEqual(s.linux.resources!.devices, [{ allow: true, access: 'rwm' }]);
  assert.deepEqual(s.linux.devices!.map((d) => d.path), ['/dev/kvm']);
});

test('init binds the init binary read-only and runs it as pid 1', () => {
  const s = spec({ init: '/usr/bin/tini-static' });
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sleep', '100']);
  assert.deepEqual(mount(s, '/sbin/docker-init'), {
    destination: '/sbin/docker-init',
    type: 'bind',
    source: '/usr/bin/tini-static',
    options: ['bind', 'ro'],
  });
  assert.equal(findInitBinary(['/nonexistent/init', '/bin/sh']), '/bin/sh');
  assert.throws(() => findInitBinary(['/nonexistent/init']), /no init binary/);
});

test('tty sets terminal and the initial console size', () => {
  const s = spec({ terminal: true, consoleSize: { height: 40, width: 120 } });
  assert.equal(s.process.terminal, true);
  assert.deepEqual(s.process.consoleSize, { height: 40, width: 120 });
  assert.equal(spec().process.terminal, undefined);
  assert.deepEqual(containerEnv(['A=1'], { hostname: 'h', tty: true }), [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOSTNAME=h',
    'TERM=xterm',
    'A=1',
  ]);
});

test('container env: image and user values replace defaults; a bare name unsets', () => {
  assert.deepEqual(containerEnv(['PATH=/x', 'HOSTNAME', 'B=2', 'B=3'], { hostname: 'h' }), ['PATH=/x', 'B=3']);
});

test('network modes', () => {
  const host = spec({ network: 'host' });
  assert.ok(!host.linux.namespaces.some((n) => n.type === 'network'));
  assert.equal(host.linux.sysctl, undefined);

  const none = spec({ network: 'none' });
  assert.deepEqual(none.linux.namespaces[1], { type: 'network' });
  assert.ok(none.linux.sysctl);

  const path = spec({ network: { path: '/run/netns/abc' } });
  assert.deepEqual(path.linux.namespaces[1], { type: 'network', path: '/run/netns/abc' });
  assert.ok(path.linux.sysctl);

  const shared = spec({ network: { path: '/proc/42/ns/net', shared: true } });
  assert.equal(shared.linux.sysctl, undefined);
});

test('ipc, pid, uts and cgroup namespace modes', () => {
  const ipcHost = spec({ ipc: 'host' });
  assert.ok(!ipcHost.linux.namespaces.some((n) => n.type === 'ipc'));
  assert.deepEqual(mount(ipcHost, '/dev/shm'), {
    destination: '/dev/shm',
    type: 'bind',
    source: '/dev/shm',
    options: ['rbind', 'rprivate'],
  });
  const ipcNone = spec({ ipc: 'none' });
  assert.equal(mount(ipcNone, '/dev/shm'), undefined);
  assert.ok(ipcNone.linux.namespaces.some((n) => n.type === 'ipc'));
  assert.equal(mount(spec({ ipc: 'shareable', shmPath: `${DIR}/shm` }), '/dev/shm')!.source, `${DIR}/shm`);
  assert.deepEqual(mount(spec({ shmSize: 1 << 30 }), '/dev/shm')!.options!.at(-1), 'size=1073741824');

  assert.ok(!spec({ pid: 'host' }).linux.namespaces.some((n) => n.type === 'pid'));
  assert.deepEqual(
    spec({ pid: { path: '/proc/42/ns/pid' } }).linux.namespaces.find((n) => n.type === 'pid'),
    { type: 'pid', path: '/proc/42/ns/pid' },
  );
  const utsHost = spec({ uts: 'host' });
  assert.ok(!utsHost.linux.namespaces.some((n) => n.type === 'uts'));
  assert.equal(utsHost.hostname, undefined); // runc refuses a hostname without a UTS namespace
  assert.ok(spec({ cgroupns: 'private' }).linux.namespaces.some((n) => n.type === 'cgroup'));
  assert.ok(!spec().linux.namespaces.some((n) => n.type === 'user' || n.type === 'cgroup'));
});

test('read-only root makes the network files read-only too', () => {
  const s = spec({ readonlyRootfs: true });
  assert.equal(s.root.readonly, true);
  assert.deepEqual(mount(s, '/etc/resolv.conf')!.options, ['rbind', 'ro', 'rprivate']);
  assert.ok(!mount(s, '/dev/shm')!.options!.includes('ro'));
  assert.equal(spec().root.readonly, undefined);
});

test('user mounts replace defaults and come parents first', () => {
  const s = spec({
    mounts: [
      { destination: '/etc/hosts', type: 'bind', source: '/srv/hosts', options: ['rbind', 'ro'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      { destination: '/etc', type: 'bind', source: '/srv/etc', options: ['rbind'] },
    ],
  });
  assert.equal(s.mounts.filter((m) => m.destination === '/etc/hosts').length, 1);
  assert.equal(mount(s, '/etc/hosts')!.source, '/srv/hosts');
  assert.equal(mount(s, '/dev/shm')!.type, 'tmpfs');
  assert.equal(mount(s, '/dev/shm')!.source, 'tmpfs');
  const order = s.mounts.map((m) => m.destination);
  assert.ok(order.indexOf('/etc') < order.indexOf('/etc/hosts'));
  assert.ok(order.indexOf('/etc') < order.indexOf('/etc/resolv.conf'));
});

test('sysctls, domainname, oom score, no-new-privileges, rlimits, resources', () => {
  const s = spec({
    sysctls: { 'net.ipv4.ping_group_range': '1 2', 'kernel.shmmax': '1000' },
    domainname: 'example.com',
    oomScoreAdj: 500,
    noNewPrivileges: true,
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }],
    resources: { memory: { limit: 1 << 26 }, pids: { limit: 100 } },
  });
  assert.equal(s.linux.sysctl!['net.ipv4.ping_group_range'], '1 2');
  assert.equal(s.linux.sysctl!['kernel.shmmax'], '1000');
  assert.equal(s.linux.sysctl!['kernel.domainname'], 'example.com');
  assert.equal(s.process.oomScoreAdj, 500);
  assert.equal(s.process.noNewPrivileges, true);
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]);
  assert.deepEqual(s.linux.resources!.memory, { limit: 1 << 26 });
  assert.ok(s.linux.resources!.devices!.length > 0);
});

test('seccomp=unconfined and custom profiles', () => {
  assert.equal(spec({ seccomp: 'unconfined' }).linux.seccomp, undefined);
  const custom: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
  assert.deepEqual(spec({ seccomp: custom }).linux.seccomp, custom);
});

test('host probes: capability masks and /dev listing', () => {
  assert.deepEqual(capabilitiesFromMask('00000000a80425fb'), [...DEFAULT_CAPABILITIES].sort(
    (a, b) => ALL_CAPABILITIES.indexOf(a) - ALL_CAPABILITIES.indexOf(b),
  ));
  assert.deepEqual(capabilitiesFromMask('000001ffffffffff'), [...ALL_CAPABILITIES]);
  const devs = listHostDevices();
  assert.ok(devs.some((d) => d.path === '/dev/null' && d.type === 'c' && d.major === 1 && d.minor === 3));
  assert.ok(!devs.some((d) => d.path.startsWith('/dev/pts/') || d.path === '/dev/console'));
});

test('the spec shares nothing with its input', () => {
  const mounts = [{ destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] }];
  const user = { uid: 0, gid: 0, additionalGids: [0] };
  const s = spec({ mounts, user });
  mount(s, '/data')!.options!.push('ro');
  s.process.user.additionalGids!.push(5);
  assert.deepEqual(mounts[0]!.options, ['rbind']);
  assert.deepEqual(user.additionalGids, [0]);
});
