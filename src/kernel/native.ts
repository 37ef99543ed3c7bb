// The thin TypeScript face of native/berth_native.c: the few syscalls Node 20 cannot make.
// Everything else in berth uses Node's own APIs or spawns the kernel's tools.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeBinding {
  /** mount(2). flags are MS_* bits. Throws an Error with .code (errno name) on failure. */
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  /** umount2(2) with MNT_DETACH when detach is true. */
  umount(target: string, detach: boolean): void;
  /** mknod(2): mode includes the file type bits (S_IFCHR ...). */
  mknod(file: string, mode: number, major: number, minor: number): void;
  /** lsetxattr(2) / lgetxattr(2) / llistxattr(2); lgetxattr returns undefined for ENODATA. */
  lsetxattr(file: string, name: string, value: Buffer): void;
  lgetxattr(file: string, name: string): Buffer | undefined;
  llistxattr(file: string): string[];
  /** Opens a SOCK_SEQPACKET unix socket connected to path; returns the fd (non-blocking, close-on-exec). */
  seqpacketConnect(path: string): number;
  /**
   * Polls fd for readability and calls onPacket(buffer) for each packet read,
   * onPacket(null) at end of stream or error; returns a handle to stop it.
   */
  seqpacketWatch(fd: number, onPacket: (packet: Buffer | null) => void): { stop(): void };
  /** Sends one packet without blocking; false when the socket is full (try again later). */
  seqpacketSend(fd: number, data: Buffer): boolean;
  /** shutdown(fd, SHUT_WR): tells the peer no more data comes (conmon closes the container's stdin). */
  shutdownWrite(fd: number): void;
  close(fd: number): void;
  /**
   * Creates a new, empty network namespace with lo up and bind-mounts it on path (created,
   * mode 0444, if missing), as `ip netns add` does, without a process to hold it.
   */
  createNetns(path: string): void;
  /** Unmounts (MNT_DETACH) and removes a namespace made by createNetns; a missing path is no error. */
  deleteNetns(path: string): void;
  /**
   * Opens an AF_INET socket inside the namespace mounted at path, bound to address:port (and
   * listening, for tcp); returns the fd (non-blocking, close-on-exec, SO_REUSEADDR), which stays in
   * that namespace. Adopt it with `dgram.createSocket('udp4').bind({ fd })` or
   * `net.createServer().listen({ fd })`.
   */
  openSocketInNetns(path: string, type: 'udp' | 'tcp', address: string, port: number): number;
}

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const native: NativeBinding = require(path.join(root, 'native/build/Release/berth_native.node'));

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 1 << 18;
