import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readFileInRoot, resolveUser, withHomeEnv } from '../../src/runtime/user.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-user-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  '# a comment',
  '',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
].join('\n');
const GROUP = ['root:x:0:', 'wheel:x:10:root,app', 'users:x:100:app', 'app:x:1000:', 'nogroup:x:65534:'].join('\n');

function rootfs(name: string, files: Record<string, string> = { 'etc/passwd': PASSWD, 'etc/group': GROUP }): string {
  const root = join(tmp, name);
  mkdirSync(join(root, 'etc'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const root = rootfs('std');

test('no --user is root with root\'s groups', async () => {
  assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
});

test('a user name or uid takes the passwd entry and its groups', async () => {
  const app = { uid: 1000, gid: 1000, additionalGids: [1000, 10, 100], home: '/home/app' };
  assert.deepEqual(await resolveUser(root, 'app'), app);
  assert.deepEqual(await resolveUser(root, '1000'), app);
  assert.deepEqual(await resolveUser(root, 'nobody'), { uid: 65534, gid: 65534, additionalGids: [65534], home: '/nonexistent' });
});

test('an explicit group replaces the primary group and drops the supplementary ones', async () => {
  assert.deepEqual(await resolveUser(root, 'app:users'), { uid: 1000, gid: 100, additionalGids: [100], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, 'app:10'), { uid: 1000, gid: 10, additionalGids: [10], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, '1000:1000'), { uid: 1000, gid: 1000, additionalGids: [1000], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, '1000:nogroup'), { uid: 1000, gid: 65534, additionalGids: [65534], home: '/home/app' });
  assert.deepEqual(await resolveUser(root, '0:1000'), { uid: 0, gid: 1000, additionalGids: [1000], home: '/root' });
});

test('numeric ids without entries are taken as they are', async () => {
  assert.deepEqual(await resolveUser(root, '4242'), { uid: 4242, gid: 0, additionalGids: [0], home: '/' });
  assert.deepEqual(await resolveUser(root, '4242:4343'), { uid: 4242, gid: 4343, additionalGids: [4343], home: '/' });
});

test('unknown names fail with Docker\'s messages', async () => {
  await assert.rejects(resolveUser(root, 'foo'), { message: 'unable to find user foo: no matching entries in passwd file' });
  await assert.rejects(resolveUser(root, 'app:staff'), {
    message: 'unable to find group staff: no matching entries in group file',
  });
  await assert.rejects(resolveUser(root, '-1'), { message: 'uids and gids must be in range 0-2147483647' });
  await assert.rejects(resolveUser(root, '1:2147483648'), { message: 'uids and gids must be in range 0-2147483647' });
});

test('without /etc/passwd and /etc/group numeric ids still work', async () => {
  const bare = rootfs('bare', {});
  assert.deepEqual(await resolveUser(bare, ''), { uid: 0, gid: 0, additionalGids: [0], home: '/' });
  assert.deepEqual(await resolveUser(bare, '1000:1000'), { uid: 1000, gid: 1000, additionalGids: [1000], home: '/' });
  await assert.rejects(resolveUser(bare, 'foo'), { message: 'unable to find user foo: no matching entries in passwd file' });
  await assert.rejects(resolveUser(bare, '0:wheel'), { message: 'unable to find group wheel: no matching entries in group file' });
});

test('--group-add takes names and gids', async () => {
  const u = await resolveUser(root, 'nobody', ['wheel', '7', 'nogroup']);
  assert.deepEqual(u.additionalGids, [65534, 10, 7]);
  await assert.rejects(resolveUser(root, '', ['staff']), { message: 'Unable to find group staff' });
});

test('symlinks are resolved inside the rootfs, never outside it', async () => {
  const outside = join(tmp, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'passwd'), 'evil:x:0:0::/:/bin/sh\n');

  // A relative link climbing out stops at the container's root.
  const escaping = rootfs('escaping', {});
  symlinkSync('../../outside/passwd', join(escaping, 'etc/passwd'));
  await assert.rejects(resolveUser(escaping, 'evil'), /unable to find user evil/);

  // An absolute link points into the container, not the host.
  const absolute = rootfs('absolute', { 'data/passwd': 'svc:x:500:500::/srv:/bin/sh\n' });
  symlinkSync('/data/passwd', join(absolute, 'etc/passwd'));
  assert.equal((await resolveUser(absolute, 'svc')).uid, 500);
  symlinkSync(outside, join(absolute, 'evil-dir'));
  assert.equal(await readFileInRoot(absolute, '/evil-dir/passwd'), null);

  // A directory symlink along the way is followed inside the root too.
  const viaDir = rootfs('viadir', { 'usr/etc/passwd': 'viadir:x:600:600::/:/bin/sh\n' });
  rmSync(join(viaDir, 'etc'), { recursive: true });
  symlinkSync('usr/etc', join(viaDir, 'etc'));
  assert.equal((await resolveUser(viaDir, 'viadir')).uid, 600);
});

test('a passwd that is not a regular file is ignored rather than read', async () => {
  const fifo = rootfs('fifo', {});
  execFileSync('mkfifo', [join(fifo, 'etc/passwd')]);
  assert.equal(await readFileInRoot(fifo, '/etc/passwd'), null);
  assert.equal((await resolveUser(fifo, '1234')).uid, 1234);
});

test('HOME is added only when missing', () => {
  assert.deepEqual(withHomeEnv(['PATH=/bin'], '/home/app'), ['PATH=/bin', 'HOME=/home/app']);
  assert.deepEqual(withHomeEnv(['HOME=/x'], '/home/app'), ['HOME=/x']);
  assert.deepEqual(withHomeEnv([], ''), ['HOME=/']);
});
