// Docker's default seccomp profile in the OCI `linux.seccomp` form.
//
// Source: moby's profiles/seccomp/default.json as shipped with Docker 20.10.24 (the
// reference dockerd on our machines); the resolved result was compared rule by rule with
// the config.json that dockerd writes, for the default capabilities and for each
// --cap-add that changes the profile. Deliberate differences from 20.10.24, all taken
// from the later moby profile:
//   - `socket` is allowed for every family except AF_VSOCK (40) instead of
//     unconditionally (moby #44562: a container must not reach the host's VM sockets);
//   - CAP_BPF allows `bpf` and CAP_PERFMON allows `perf_event_open` (Docker 20.10 does
//     not know these capabilities, so it cannot express the rule);
//   - CAP_SYS_TIME also allows `clock_settime64` (the 32-bit twin of clock_settime);
//   - `defaultErrnoRet: 1` is written out (runc's default for SCMP_ACT_ERRNO is EPERM
//     anyway, so behaviour is identical).

import { release } from 'node:os';

export type SeccompAction =
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_LOG';

export type SeccompOperator =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

export interface LinuxSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

export interface LinuxSyscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxSeccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: LinuxSyscall[];
}

/** Conditions of a rule, as in moby's profile: all of includes must hold, none of excludes. */
interface RuleFilter {
  caps?: string[];
  /** Go architecture names (runtime.GOARCH), plus the profile's own 'x32' and 'x86'. */
  arches?: string[];
  minKernel?: string;
}

interface ProfileRule extends LinuxSyscall {
  includes?: RuleFilter;
  excludes?: RuleFilter;
}

const EPERM = 1;
const ENOSYS = 38;
const AF_VSOCK = 40;
/** CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET. */
const CLONE_NAMESPACE_FLAGS = 2114060288;

/** Native architecture and the compat ones a process may switch to (moby's archMap). */
const ARCH_MAP: Record<string, string[]> = {
  amd64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
  s390x: ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390'],
  riscv64: ['SCMP_ARCH_RISCV64'],
};

const allow = (names: string[], extra: Omit<ProfileRule, 'names' | 'action'> = {}): ProfileRule => ({
  names,
  action: 'SCMP_ACT_ALLOW',
  ...extra,
});

const personality = (value: number): ProfileRule =>
  allow(['personality'], { args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] });

// Order matters only for readability of the resulting config.json; it follows moby's file.
const RULES: ProfileRule[] = [
  allow([
      'accept', 'accept4', 'access', 'adjtimex', 'alarm', 'bind', 'brk', 'capget', 'capset',
      'chdir', 'chmod', 'chown', 'chown32', 'clock_adjtime', 'clock_adjtime64', 'clock_getres',
      'clock_getres_time64', 'clock_gettime', 'clock_gettime64', 'clock_nanosleep',
      'clock_nanosleep_time64', 'close', 'close_range', 'connect', 'copy_file_range', 'creat',
      'dup', 'dup2', 'dup3', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old',
      'epoll_pwait', 'epoll_pwait2', 'epoll_wait', 'epoll_wait_old', 'eventfd', 'eventfd2',
      'execve', 'execveat', 'exit', 'exit_group', 'faccessat', 'faccessat2', 'fadvise64',
      'fadvise64_64', 'fallocate', 'fanotify_mark', 'fchdir', 'fchmod', 'fchmodat', 'fchown',
      'fchown32', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'fgetxattr', 'flistxattr',
      'flock', 'fork', 'fremovexattr', 'fsetxattr', 'fstat', 'fstat64', 'fstatat64', 'fstatfs',
      'fstatfs64', 'fsync', 'ftruncate', 'ftruncate64', 'futex', 'futex_time64', 'futex_waitv',
      'futimesat', 'getcpu', 'getcwd', 'getdents', 'getdents64', 'getegid', 'getegid32',
      'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getgroups', 'getgroups32', 'getitimer',
      'getpeername', 'getpgid', 'getpgrp', 'getpid', 'getppid', 'getpriority', 'getrandom',
      'getresgid', 'getresgid32', 'getresuid', 'getresuid32', 'getrlimit', 'get_robust_list',
      'getrusage', 'getsid', 'getsockname', 'getsockopt', 'get_thread_area', 'gettid',
      'gettimeofday', 'getuid', 'getuid32', 'getxattr', 'inotify_add_watch', 'inotify_init',
      'inotify_init1', 'inotify_rm_watch', 'io_cancel', 'ioctl', 'io_destroy', 'io_getevents',
      'io_pgetevents', 'io_pgetevents_time64', 'ioprio_get', 'ioprio_set', 'io_setup',
      'io_submit', 'io_uring_enter', 'io_uring_register', 'io_uring_setup', 'ipc', 'kill',
      'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self', 'lchown',
      'lchown32', 'lgetxattr', 'link', 'linkat', 'listen', 'listxattr', 'llistxattr', '_llseek',
      'lremovexattr', 'lseek', 'lsetxattr', 'lstat', 'lstat64', 'madvise', 'membarrier',
      'memfd_create', 'memfd_secret', 'mincore', 'mkdir', 'mkdirat', 'mknod', 'mknodat',
      'mlock', 'mlock2', 'mlockall', 'mmap', 'mmap2', 'mprotect', 'mq_getsetattr', 'mq_notify',
      'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64', 'mq_timedsend',
      'mq_timedsend_time64', 'mq_unlink', 'mremap', 'msgctl', 'msgget', 'msgrcv', 'msgsnd',
      'msync', 'munlock', 'munlockall', 'munmap', 'nanosleep', 'newfstatat', '_newselect',
      'open', 'openat', 'openat2', 'pause', 'pidfd_open', 'pidfd_send_signal', 'pipe', 'pipe2',
      'poll', 'ppoll', 'ppoll_time64', 'prctl', 'pread64', 'preadv', 'preadv2', 'prlimit64',
      'process_mrelease', 'pselect6', 'pselect6_time64', 'pwrite64', 'pwritev', 'pwritev2',
      'read', 'readahead', 'readlink', 'readlinkat', 'readv', 'recv', 'recvfrom', 'recvmmsg',
      'recvmmsg_time64', 'recvmsg', 'remap_file_pages', 'removexattr', 'rename', 'renameat',
      'renameat2', 'restart_syscall', 'rmdir', 'rseq', 'rt_sigaction', 'rt_sigpending',
      'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait',
      'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo', 'sched_getaffinity', 'sched_getattr',
      'sched_getparam', 'sched_get_priority_max', 'sched_get_priority_min',
      'sched_getscheduler', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
      'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler',
      'sched_yield', 'seccomp', 'select', 'semctl', 'semget', 'semop', 'semtimedop',
      'semtimedop_time64', 'send', 'sendfile', 'sendfile64', 'sendmmsg', 'sendmsg', 'sendto',
      'setfsgid', 'setfsgid32', 'setfsuid', 'setfsuid32', 'setgid', 'setgid32', 'setgroups',
      'setgroups32', 'setitimer', 'setpgid', 'setpriority', 'setregid', 'setregid32',
      'setresgid', 'setresgid32', 'setresuid', 'setresuid32', 'setreuid', 'setreuid32',
      'setrlimit', 'set_robust_list', 'setsid', 'setsockopt', 'set_thread_area',
      'set_tid_address', 'setuid', 'setuid32', 'setxattr', 'shmat', 'shmctl', 'shmdt', 'shmget',
      'shutdown', 'sigaltstack', 'signalfd', 'signalfd4', 'sigprocmask', 'sigreturn',
      'socketcall', 'socketpair', 'splice', 'stat', 'stat64', 'statfs', 'statfs64', 'statx',
      'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'sysinfo', 'tee', 'tgkill',
      'time', 'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime',
      'timer_gettime64', 'timer_settime', 'timer_settime64', 'timerfd_create',
      'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64', 'times',
      'tkill', 'truncate', 'truncate64', 'ugetrlimit', 'umask', 'uname', 'unlink', 'unlinkat',
      'utime', 'utimensat', 'utimensat_time64', 'utimes', 'vfork', 'vmsplice', 'wait4',
      'waitid', 'waitpid', 'write', 'writev'
  ]),
  allow(['ptrace'], { includes: { minKernel: '4.8' } }),
  allow(['socket'], { args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] }),
  // PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the query value 0xffffffff.
  personality(0x0),
  personality(0x8),
  personality(0x20000),
  personality(0x20008),
  personality(0xffffffff),
  allow(['sync_file_range2', 'swapcontext'], { includes: { arches: ['ppc64le'] } }),
  allow(['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'], {
    includes: { arches: ['arm', 'arm64'] },
  }),
  allow(['arch_prctl'], { includes: { arches: ['amd64', 'x32'] } }),
  allow(['modify_ldt'], { includes: { arches: ['amd64', 'x32', 'x86'] } }),
  allow(['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'], {
    includes: { arches: ['s390', 's390x'] },
  }),
  allow(['riscv_flush_icache'], { includes: { arches: ['riscv64'] } }),
  allow(['open_by_handle_at'], { includes: { caps: ['CAP_DAC_READ_SEARCH'] } }),
  allow(
    [
      'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick',
      'lookup_dcookie', 'mount', 'mount_setattr', 'move_mount', 'name_to_handle_at', 'open_tree',
      'perf_event_open', 'quotactl', 'quotactl_fd', 'setdomainname', 'sethostname', 'setns',
      'syslog', 'umount', 'umount2', 'unshare',
    ],
    { includes: { caps: ['CAP_SYS_ADMIN'] } },
  ),
  // Without CAP_SYS_ADMIN, clone may not create namespaces.
  allow(['clone'], {
    args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ' }],
    excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] },
  }),
  // s390 passes clone's flags as the second argument.
  allow(['clone'], {
    args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ' }],
    includes: { arches: ['s390', 's390x'] },
    excludes: { caps: ['CAP_SYS_ADMIN'] },
  }),
  // clone3 passes its flags in memory, which seccomp cannot inspect: answer ENOSYS so that
  // libc falls back to clone, whose flags the rule above checks.
  { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } },
  allow(['reboot'], { includes: { caps: ['CAP_SYS_BOOT'] } }),
  allow(['chroot'], { includes: { caps: ['CAP_SYS_CHROOT'] } }),
  allow(['delete_module', 'init_module', 'finit_module'], { includes: { caps: ['CAP_SYS_MODULE'] } }),
  allow(['acct'], { includes: { caps: ['CAP_SYS_PACCT'] } }),
  allow(['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace'], {
    includes: { caps: ['CAP_SYS_PTRACE'] },
  }),
  allow(['iopl', 'ioperm'], { includes: { caps: ['CAP_SYS_RAWIO'] } }),
  allow(['settimeofday', 'stime', 'clock_settime', 'clock_settime64'], { includes: { caps: ['CAP_SYS_TIME'] } }),
  allow(['vhangup'], { includes: { caps: ['CAP_SYS_TTY_CONFIG'] } }),
  allow(['get_mempolicy', 'mbind', 'set_mempolicy'], { includes: { caps: ['CAP_SYS_NICE'] } }),
  allow(['syslog'], { includes: { caps: ['CAP_SYSLOG'] } }),
  allow(['bpf'], { includes: { caps: ['CAP_BPF'] } }),
  allow(['perf_event_open'], { includes: { caps: ['CAP_PERFMON'] } }),
];

/** Node's process.arch in Go's spelling, which the profile's arch conditions use. */
export function goArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };
  return map[nodeArch] ?? nodeArch;
}

/** Compares kernel releases like "6.18.0-foo" >= "4.8" on major.minor.patch. */
function kernelAtLeast(release: string, min: string): boolean {
  const parse = (v: string) => (v.match(/^(\d+)(?:\.(\d+))?(?:\.(\d+))?/) ?? []).slice(1, 4).map((n) => Number(n ?? 0));
  const a = parse(release);
  const b = parse(min);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

export interface SeccompHost {
  /** Go architecture name; defaults to this machine's. */
  arch?: string;
  /** Kernel release (uname -r); defaults to this machine's. */
  kernel?: string;
}

/**
 * The default profile for a container whose bounding set is `capabilities`
 * ("CAP_"-prefixed names), resolved the way moby's setupSeccomp does: a rule applies when
 * the host arch is in includes.arches, all includes.caps are held, the kernel is at least
 * includes.minKernel, and neither the arch nor any held capability is excluded.
 */
export function defaultSeccompProfile(capabilities: string[], host: SeccompHost = {}): LinuxSeccomp {
  const arch = host.arch ?? goArch();
  const kernel = host.kernel ?? release();
  const caps = new Set(capabilities);
  const applies = (rule: ProfileRule): boolean => {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.arches && !inc.arches.includes(arch)) return false;
    if (exc.arches && exc.arches.includes(arch)) return false;
    if (inc.caps && !inc.caps.every((c) => caps.has(c))) return false;
    if (exc.caps && exc.caps.some((c) => caps.has(c))) return false;
    if (inc.minKernel && !kernelAtLeast(kernel, inc.minKernel)) return false;
    return true;
  };
  const syscalls: LinuxSyscall[] = RULES.filter(applies).map(({ names, action, errnoRet, args }) => ({
    names: [...names],
    action,
    ...(errnoRet !== undefined ? { errnoRet } : {}),
    ...(args ? { args: args.map((a) => ({ ...a })) } : {}),
  }));
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: [...(ARCH_MAP[arch] ?? [])],
    syscalls,
  };
}
