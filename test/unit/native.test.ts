// Tests for native/berth_native.c through src/kernel/native.ts.
// Needs root (mount, mknod, trusted.* xattrs, network namespaces), python3 (Node cannot
// create a SOCK_SEQPACKET server, so a tiny python one stands in for conmon; it is
// also the TCP client inside a namespace), nsenter and ip.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { native, MS_NOSUID, MS_NODEV } from '../../src/kernel/native.js';

const addonPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../native/build/Release/berth_native.node');

const isRoot = process.getuid?.() === 0;

// t.after() hooks run first-registered first; cleanups must run in reverse
// (unmount before removing the directory, or rmSync empties the mount).
const cleanups = new WeakMap<TestContext, (() => void)[]>();
function defer(t: TestContext, fn: () => void): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const fns: (() => void)[] = [];
    cleanups.set(t, (stack = fns));
    t.after(() => {
      let first: unknown;
      for (const f of fns.reverse()) {
        try { f(); } catch (e) { first ??= e; }
      }
      if (first) throw first;
    });
  }
  stack.push(fn);
}

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-native-'));
  defer(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Mounts a fresh tmpfs on a temp dir, unmounted (lazily, so it cannot fail) after the test. */
function tmpfs(t: TestContext): string {
  const dir = tempDir(t);
  native.mount('tmpfs', dir, 'tmpfs', MS_NOSUID | MS_NODEV, 'size=4m,mode=0755');
  defer(t, () => {
    try { native.umount(dir, true); } catch { /* already unmounted */ }
  });
  return dir;
}

function isMountPoint(dir: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
}

async function waitUntil(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A one-connection SOCK_SEQPACKET server, shaped like conmon's attach socket:
// echoes each packet back with a 1-byte stream id (1), and when the client
// shuts down its write side, reports 'eof', sends "\x02bye" and closes.
// Prints one line per event on stdout. Binds relative to its directory so the
// path may exceed sun_path's 108 bytes.
const SERVER = `
import os, signal, socket, sys
signal.alarm(30)  # never outlive a broken test
d, name = os.path.split(sys.argv[1])
os.chdir(d)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(name)
s.listen(1)
print('ready', flush=True)
c, _ = s.accept()
n = 0
while True:
    data = c.recv(1 << 20)
    if not data:
        print('eof', flush=True)
        try:
            c.send(b'\\x02bye')
        except OSError:  # the client may be gone entirely
            pass
        break
    if data == b'close':
        break
    c.send(b'\\x01' + data)
    n += 1
    print('echoed %d' % n, flush=True)
c.close()
print('closed', flush=True)
`;

interface Server { lines: string[]; child: ChildProcess; exited: Promise<number | null> }

async function startServer(t: TestContext, sockPath: string): Promise<Server> {
  const child = spawn('python3', ['-c', SERVER, sockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    buf += s;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  defer(t, () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  await waitUntil(() => lines.includes('ready') || child.exitCode !== null, 'server to listen');
  assert.ok(lines.includes('ready'), 'python seqpacket server failed to start');
  return { lines, child, exited };
}

/** Connects to a fresh server and returns the fd (closed after the test). */
async function connect(t: TestContext, sockPath?: string): Promise<{ fd: number; server: Server }> {
  const p = sockPath ?? path.join(tempDir(t), 'attach');
  const server = await startServer(t, p);
  const fd = native.seqpacketConnect(p);
  defer(t, () => native.close(fd));
  return { fd, server };
}

/** Runs a node child script with the addon path as argv[1]; returns exit code and output. */
function runNode(t: TestContext, script: string, args: string[], ms = 10000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-e', script, addonPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  defer(t, () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child node hung; stdout=${stdout} stderr=${stderr}`)); }, ms);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

test('mount a tmpfs and unmount it', { skip: !isRoot && 'needs root' }, (t) => {
  const dir = tempDir(t);
  native.mount('tmpfs', dir, 'tmpfs', MS_NOSUID, 'size=1m');
  try {
    assert.ok(isMountPoint(dir));
    fs.writeFileSync(path.join(dir, 'f'), 'x');
  } finally {
    native.umount(dir, false);
  }
  assert.ok(!isMountPoint(dir));
  assert.deepEqual(fs.readdirSync(dir), []);

  // Errors look like Node's: message, code, negative errno, syscall, path.
  assert.throws(() => native.umount(dir, false), (e: NodeJS.ErrnoException) => {
    assert.equal(e.message, `umount ${dir}: EINVAL (Invalid argument)`);
    assert.equal(e.code, 'EINVAL');
    assert.equal(e.errno, -22);
    assert.equal(e.syscall, 'umount');
    assert.equal(e.path, dir);
    return true;
  });
  assert.throws(() => native.mount('tmpfs', path.join(dir, 'missing'), 'tmpfs', 0, ''), { code: 'ENOENT' });
  assert.throws(() => native.mount('a\0b', dir, 'tmpfs', 0, ''), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => (native.umount as (...a: unknown[]) => void)(dir), { code: 'ERR_MISSING_ARGS' });
});

test('mknod makes a 0/0 character device (an overlayfs whiteout)', { skip: !isRoot && 'needs root' }, (t) => {
  const file = path.join(tmpfs(t), 'whiteout');
  native.mknod(file, fs.constants.S_IFCHR, 0, 0);
  const st = fs.lstatSync(file);
  assert.ok(st.isCharacterDevice());
  assert.equal(st.rdev, 0);
  assert.throws(() => native.mknod(file, fs.constants.S_IFCHR, 0, 0), { code: 'EEXIST' });

  // major/minor are encoded with makedev: 1:3 is /dev/null's number.
  native.mknod(file + '2', fs.constants.S_IFCHR | 0o600, 1, 3);
  assert.equal(fs.lstatSync(file + '2').rdev, fs.statSync('/dev/null').rdev);
});

test('trusted.* xattrs: set, get, list', { skip: !isRoot && 'needs root' }, (t) => {
  const dir = tmpfs(t);
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  assert.deepEqual(native.llistxattr(sub), []);
  assert.equal(native.lgetxattr(sub, 'trusted.overlay.opaque'), undefined);

  native.lsetxattr(sub, 'trusted.overlay.opaque', Buffer.from('y'));
  native.lsetxattr(sub, 'trusted.berth.big', Buffer.alloc(3000, 7));
  native.lsetxattr(sub, 'trusted.berth.empty', Buffer.alloc(0));
  assert.deepEqual(native.lgetxattr(sub, 'trusted.overlay.opaque'), Buffer.from('y'));
  assert.deepEqual(native.lgetxattr(sub, 'trusted.berth.big'), Buffer.alloc(3000, 7));
  assert.deepEqual(native.lgetxattr(sub, 'trusted.berth.empty'), Buffer.alloc(0));
  assert.deepEqual(native.llistxattr(sub).sort(), ['trusted.berth.big', 'trusted.berth.empty', 'trusted.overlay.opaque']);

  // l*: a symlink's own attributes, not its target's.
  fs.symlinkSync('sub', path.join(dir, 'link'));
  assert.deepEqual(native.llistxattr(path.join(dir, 'link')), []);

  assert.throws(() => native.lgetxattr(path.join(dir, 'missing'), 'trusted.x'), { code: 'ENOENT' });
  assert.throws(() => native.lsetxattr(sub, 'trusted.x', 'str' as unknown as Buffer), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('seqpacket: boundaries kept, shutdownWrite seen as EOF, end-of-stream reported', async (t) => {
  const { fd, server } = await connect(t);
  const got: (Buffer | null)[] = [];
  const watch = native.seqpacketWatch(fd, (p) => { got.push(p); });
  defer(t, () => watch.stop());

  const big = Buffer.alloc(60000, 'z');
  for (const p of [Buffer.from('a'), Buffer.from('bb'), Buffer.from(''), big, Buffer.from('ccc')]) native.seqpacketSend(fd, p);
  await waitUntil(() => got.length >= 4, 'echoes');
  // The empty send is skipped (it would read as EOF); each other send is one packet.
  assert.deepEqual(got, [Buffer.from('\x01a'), Buffer.from('\x01bb'), Buffer.concat([Buffer.from([1]), big]), Buffer.from('\x01ccc')]);

  native.shutdownWrite(fd);
  await waitUntil(() => server.lines.includes('eof'), 'server to see EOF');
  await waitUntil(() => got.length >= 6, 'end of stream');
  assert.deepEqual(got.slice(4), [Buffer.from('\x02bye'), null]);
  assert.equal(await server.exited, 0);
  await sleep(50);
  assert.equal(got.length, 6, 'null is delivered once');
  assert.throws(() => native.seqpacketSend(fd, Buffer.from('late')), { code: 'EPIPE' });
});

test('seqpacket: connects to a path longer than sun_path', async (t) => {
  let dir = tempDir(t);
  while (dir.length < 150) { dir = path.join(dir, 'd'.repeat(40)); fs.mkdirSync(dir); }
  const { fd, server } = await connect(t, path.join(dir, 'attach'));
  native.seqpacketSend(fd, Buffer.from('close'));
  assert.equal(await server.exited, 0);
  assert.throws(() => native.seqpacketConnect(path.join(dir, 'nothing')), { code: 'ENOENT' });
});

test('seqpacket: stop() ends callbacks, also from inside a callback', async (t) => {
  const { fd, server } = await connect(t);
  const got: (Buffer | null)[] = [];
  const watch = native.seqpacketWatch(fd, (p) => { got.push(p); });
  native.seqpacketSend(fd, Buffer.from('x'));
  await waitUntil(() => got.length === 1, 'first echo');
  watch.stop();
  watch.stop(); // idempotent
  native.seqpacketSend(fd, Buffer.from('y'));
  await waitUntil(() => server.lines.includes('echoed 2'), 'second echo');
  await sleep(50);
  assert.deepEqual(got, [Buffer.from('\x01x')]);

  // Two packets (the 'y' echo and a new one) are queued before watching again;
  // stopping in the first callback must suppress the second.
  native.seqpacketSend(fd, Buffer.from('z'));
  await waitUntil(() => server.lines.includes('echoed 3'), 'third echo');
  const seen: (Buffer | null)[] = [];
  const again = native.seqpacketWatch(fd, (p) => { seen.push(p); again.stop(); });
  await waitUntil(() => seen.length > 0, 'queued packet');
  await sleep(50);
  assert.deepEqual(seen, [Buffer.from('\x01y')]);
});

// Child processes: event-loop liveness and exceptions are process-wide.
const CHILD = `
const n = require(process.argv[1]);
const [mode, sock] = process.argv.slice(2);
const fd = n.seqpacketConnect(sock);
const w = n.seqpacketWatch(fd, (p) => {
  console.log(p === null ? 'null' : JSON.stringify(p.toString()));
  if (mode === 'throw') throw new Error('boom from onPacket');
});
if (mode === 'stop') w.stop();
n.seqpacketSend(fd, Buffer.from('hi'));
if (mode !== 'throw') n.shutdownWrite(fd);
`;

test('seqpacket: a watch keeps the process alive until end of stream, then lets it exit', async (t) => {
  const sock = path.join(tempDir(t), 'attach');
  const server = await startServer(t, sock);
  const r = await runNode(t, CHILD, ['watch', sock]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '"\\u0001hi"\n"\\u0002bye"\nnull\n');
  assert.equal(await server.exited, 0);
});

test('seqpacket: a stopped watch does not keep the process alive', async (t) => {
  const sock = path.join(tempDir(t), 'attach');
  await startServer(t, sock);
  const r = await runNode(t, CHILD, ['stop', sock]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('seqpacket: an exception in onPacket is an uncaught exception, not silence', async (t) => {
  const sock = path.join(tempDir(t), 'attach');
  await startServer(t, sock);
  const r = await runNode(t, CHILD, ['throw', sock]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '"\\u0001hi"\n');
  assert.match(r.stderr, /boom from onPacket/);
});

// A worker that exits while watching, or right after a failed watch, must wait
// for the poll handle to close: the addon is unloaded with the worker (when the
// main thread never loaded it) and a late close callback would jump into
// unmapped code. fd 0 is the
// child's stdin socket, which serves as any pollable fd here.
const WORKERS = `
const { Worker } = require('node:worker_threads');
const modes = ['watch', 'stop', 'throw', 'eexist'];
let round = 0;
(function next() {
  if (round === 40) return console.log('ok');
  const mode = modes[round++ % modes.length];
  const w = new Worker(\`
    const n = require(\${JSON.stringify(process.argv[1])});
    const { parentPort } = require('node:worker_threads');
    const h = n.seqpacketWatch(0, () => {});
    if ('\${mode}' === 'stop') h.stop();
    if ('\${mode}' === 'throw') throw new Error('worker dies');
    if ('\${mode}' === 'eexist') n.seqpacketWatch(0, () => {}); // throws: one poll per fd and loop
    parentPort.postMessage('watching');\`, { eval: true });
  w.on('message', () => w.terminate());
  w.on('error', (e) => { if (!(mode === 'throw' || (mode === 'eexist' && e.code === 'EEXIST'))) throw e; });
  w.on('exit', next);
})();
`;

test('seqpacket: workers can exit while watching', async (t) => {
  const r = await runNode(t, WORKERS, [], 30000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ok\n');
});

// ---------------------------------------------------------------- network namespaces

const execFileAsync = promisify(execFile);

/** The inode of the calling thread's network namespace: compare to see whether a call moved it. */
const threadNetns = () => fs.statSync('/proc/thread-self/ns/net').ino;

/** Runs a command inside the namespace mounted at netns (async: the test's own servers must keep answering). */
async function inNetns(netns: string, cmd: string[]): Promise<string> {
  return (await execFileAsync('nsenter', [`--net=${netns}`, ...cmd], { timeout: 10000 })).stdout;
}

function netns(t: TestContext): string {
  const file = path.join(tempDir(t), 'netns');
  native.createNetns(file);
  defer(t, () => native.deleteNetns(file));
  return file;
}

test('createNetns: a new namespace with only lo, up; the caller stays where it was', { skip: !isRoot && 'needs root' }, async (t) => {
  const before = threadNetns();
  const file = netns(t);
  assert.equal(threadNetns(), before);
  assert.ok(isMountPoint(file));
  const st = fs.statSync(file);
  assert.notEqual(st.ino, before);
  assert.equal(st.mode & 0o777, 0o444);

  const links = (await inNetns(file, ['ip', '-o', 'link', 'show'])).trim().split('\n');
  assert.equal(links.length, 1, links.join('\n'));
  assert.match(links[0]!, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  assert.match(await inNetns(file, ['ip', '-4', '-o', 'addr', 'show', 'lo']), /inet 127\.0\.0\.1\/8/);

  // Failures after unshare still return the caller to its namespace, and leave no file behind.
  const dir = path.dirname(file);
  assert.throws(() => native.createNetns(dir), (e: NodeJS.ErrnoException) => {
    assert.equal(e.syscall, 'mount');
    assert.equal(e.code, 'ENOTDIR');
    assert.equal(e.message, `mount ${dir}: ENOTDIR (Not a directory)`);
    return true;
  });
  assert.equal(threadNetns(), before);
  assert.throws(() => native.createNetns(path.join(dir, 'missing', 'netns')), { code: 'ENOENT', syscall: 'open' });
});

test('deleteNetns: unmounts and removes; missing or unmounted paths are fine', { skip: !isRoot && 'needs root' }, (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'netns');
  native.createNetns(file);
  native.deleteNetns(file);
  assert.ok(!isMountPoint(file));
  assert.ok(!fs.existsSync(file));
  native.deleteNetns(file);

  fs.writeFileSync(file, ''); // as a crash between creating and mounting would leave it
  native.deleteNetns(file);
  assert.ok(!fs.existsSync(file));
});

test('openSocketInNetns: udp and tcp sockets that Node adopts, inside the namespace', { skip: !isRoot && 'needs root' }, async (t) => {
  const before = threadNetns();
  const file = netns(t);

  // UDP: two sockets in the namespace talk over its loopback.
  const [a, b] = [0, 1].map(() => {
    const socket = dgram.createSocket('udp4').bind({ fd: native.openSocketInNetns(file, 'udp', '127.0.0.1', 0) });
    defer(t, () => socket.close());
    return socket;
  }) as [dgram.Socket, dgram.Socket];
  // bind({ fd }) is synchronous: 'listening' has already been emitted.
  const received = once(b, 'message');
  a.send('ping', b.address().port, '127.0.0.1');
  const [msg, rinfo] = (await received) as [Buffer, dgram.RemoteInfo];
  assert.equal(msg.toString(), 'ping');
  assert.equal(rinfo.port, a.address().port);

  // TCP: a listening socket; a client inside the namespace reaches it, one outside does not.
  const server = net.createServer((conn) => conn.end('pong'));
  defer(t, () => server.close());
  await new Promise<void>((resolve) => server.listen({ fd: native.openSocketInNetns(file, 'tcp', '127.0.0.1', 0) }, resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = 'import socket,sys; print(socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).recv(16).decode())';
  assert.equal(await inNetns(file, ['python3', '-c', client, String(port)]), 'pong\n');
  const outside = net.connect(port, '127.0.0.1');
  const [err] = (await once(outside, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');

  // Errors name the call, and the caller is back in its namespace after each.
  assert.throws(() => native.openSocketInNetns(file, 'tcp', '127.0.0.1', port), { code: 'EADDRINUSE', syscall: 'bind' });
  assert.throws(() => native.openSocketInNetns(path.dirname(file), 'udp', '127.0.0.1', 0), { code: 'EINVAL', syscall: 'setns' });
  assert.throws(() => native.openSocketInNetns(path.join(file, 'x'), 'udp', '127.0.0.1', 0), { code: 'ENOTDIR', syscall: 'open' });
  assert.throws(() => native.openSocketInNetns(file, 'sctp' as 'udp', '127.0.0.1', 0), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => native.openSocketInNetns(file, 'udp', '::1', 0), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => native.openSocketInNetns(file, 'udp', '127.0.0.1', 65536), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.equal(threadNetns(), before);
});
