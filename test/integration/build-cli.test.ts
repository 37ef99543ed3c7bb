// `berth build` as the docker CLI's classic builder client (DOCKER_BUILDKIT=0 docker build):
// - the context tar (.dockerignore rules, the Dockerfile kept, a Dockerfile added from stdin or
//   from outside the context, tar-or-Dockerfile detection on stdin), with no daemon;
// - the CLI's side of POST /build against a scripted fake daemon (query, output, exit codes, -q,
//   --iidfile);
// - real builds against a berthd of our own (startDaemonWithBusybox), skipped while berthd answers
//   404 for /build; BERTH_TEST_HOST points them at another daemon (e.g. the reference dockerd at
//   unix:///tmp/refdocker/docker.sock, which must have busybox:latest). Images are named bcli-*.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test, type TestContext } from 'node:test';
import * as tar from 'tar-stream';
import { buildArgsMap, normalizeExtraHost } from '../../src/cli/commands/image/build.js';
import {
  addDockerfileToContext,
  dockerfileOnlyContext,
  isArchive,
  parseDockerignore,
  readDockerignore,
  tarDirectory,
  trimBuildFilesFromExcludes,
} from '../../src/cli/util/build-context.js';
import { isGitURL, parseGitURL } from '../../src/build/remote-context.js';
import { ROOT, startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';

const BERTH = path.join(ROOT, 'bin/berth');
const P = `bcli-t${process.pid}`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface Entry {
  name: string;
  type: string;
  uid: number;
  linkname: string | null;
  body: string;
}

async function readTar(stream: Readable): Promise<Entry[]> {
  const extract = tar.extract();
  const entries: Entry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, s, next) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: unknown) => chunks.push(c as Buffer));
      s.on('end', () => {
        entries.push({ name: h.name, type: h.type ?? 'file', uid: h.uid ?? 0, linkname: h.linkname ?? null, body: Buffer.concat(chunks).toString() });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return entries;
}

function tarBuffer(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, body);
  pack.finalize();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
}

/** Writes `files` (path → content; a value "->target" makes a symlink) under `dir`. */
function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    if (content.startsWith('->')) symlinkSync(content.slice(2), file);
    else writeFileSync(file, content);
  }
}

/** The berth CLI, asynchronously (the fake daemon lives in this process). */
function berthAsync(host: string, args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', BERTH, '-H', host, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

describe('build context (no daemon)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bcli-ctx-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('.dockerignore lines: comments, blanks, exceptions, cleaned paths, leading / dropped', () => {
    assert.deepEqual(parseDockerignore('\uFEFF# comment\n\n  *.log  \n!keep.log\n/abs/x\n./rel/../y/\n ! spaced\n#x\n**/tmp\r\n'), [
      '*.log',
      '!keep.log',
      'abs/x',
      'y',
      '!spaced',
      '**/tmp',
    ]);
  });

  test('tarring a directory applies .dockerignore (**, ! exceptions, leading /) and keeps the Dockerfile', async () => {
    const ctx = path.join(dir, 'ignore');
    writeTree(ctx, {
      Dockerfile: 'FROM busybox\n',
      '.dockerignore': '**/*.log\n!keep.log\n/logs\nDockerfile\n.dockerignore\nkeepdir\n!keepdir/x\nsub/deep\n',
      'a.log': 'x',
      'keep.log': 'k',
      'sub/b.log': 'y',
      'sub/t.txt': 't',
      'sub/deep/c.txt': 'z',
      'logs/1': 'l',
      'other/logs/2': 'not at the root: kept',
      'keepdir/x': 'kx',
      'keepdir/y': 'ky',
      link: '->sub/t.txt',
    });
    linkSync(path.join(ctx, 'sub/t.txt'), path.join(ctx, 'hard'));
    const excludes = trimBuildFilesFromExcludes(readDockerignore(ctx), 'Dockerfile', false);
    const entries = await readTar(tarDirectory(ctx, excludes));
    assert.deepEqual(
      entries.map((e) => e.name),
      ['.dockerignore', 'Dockerfile', 'hard', 'keep.log', 'keepdir/x', 'link', 'other/', 'other/logs/', 'other/logs/2', 'sub/', 'sub/t.txt'],
    );
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get('Dockerfile')?.body, 'FROM busybox\n');
    assert.equal(byName.get('link')?.type, 'symlink');
    assert.equal(byName.get('link')?.linkname, 'sub/t.txt');
    assert.equal(byName.get('sub/')?.type, 'directory');
    // `hard` and `sub/t.txt` are one file: the first in walk order holds the data, the other links to it.
    assert.equal(byName.get('hard')?.body, 't');
    assert.equal(byName.get('sub/t.txt')?.type, 'link');
    assert.equal(byName.get('sub/t.txt')?.linkname, 'hard');
    assert.ok(entries.every((e) => e.uid === 0));
  });

  // Each row was checked against `DOCKER_BUILDKIT=0 docker build` (docker CLI 28): the same entries
  // reach the daemon (same COPY result, same "Sending build context" size).
  test('.dockerignore rules as docker CLI 28 applies them', async () => {
    const ctx = path.join(dir, 'rules');
    const files = ['a/x/b/f', 'a/b/f', 'sub/keep/k', 'sub/deep/keep/k', 'sub/s', 'dir/d', 'other/dir/d', '1.txt', 'ab.txt', 'c.md', 'd.md', 'x', 'keep', '!bang', '.hidden', 'Dockerfile'];
    writeTree(ctx, Object.fromEntries(files.map((f) => [f, f])));
    const cases: [string, string][] = [
      ['*\n!Dockerfile', '.dockerignore Dockerfile'],
      ['**\n!keep', '.dockerignore Dockerfile keep'],
      ['a/**/b', '!bang .dockerignore .hidden 1.txt Dockerfile a/ a/x/ ab.txt c.md d.md dir/ dir/d keep other/ other/dir/ other/dir/d sub/ sub/deep/ sub/deep/keep/ sub/deep/keep/k sub/keep/ sub/keep/k sub/s x'],
      ['**/keep', '!bang .dockerignore .hidden 1.txt Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt c.md d.md dir/ dir/d other/ other/dir/ other/dir/d sub/ sub/deep/ sub/s x'],
      ['dir/', '!bang .dockerignore .hidden 1.txt Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt c.md d.md keep other/ other/dir/ other/dir/d sub/ sub/deep/ sub/deep/keep/ sub/deep/keep/k sub/keep/ sub/keep/k sub/s x'],
      ['?.txt\n[a-c].md', '!bang .dockerignore .hidden Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt d.md dir/ dir/d keep other/ other/dir/ other/dir/d sub/ sub/deep/ sub/deep/keep/ sub/deep/keep/k sub/keep/ sub/keep/k sub/s x'],
      ['sub\n!**/keep', '!bang .dockerignore .hidden 1.txt Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt c.md d.md dir/ dir/d keep other/ other/dir/ other/dir/d x'],
      ['sub\n!sub/deep', '!bang .dockerignore .hidden 1.txt Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt c.md d.md dir/ dir/d keep other/ other/dir/ other/dir/d sub/deep/ sub/deep/keep/ sub/deep/keep/k x'],
      ['*\n!sub/deep/keep/k', '.dockerignore Dockerfile sub/deep/keep/k'],
      ['\\!bang\n.*', '.dockerignore 1.txt Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt c.md d.md dir/ dir/d keep other/ other/dir/ other/dir/d sub/ sub/deep/ sub/deep/keep/ sub/deep/keep/k sub/keep/ sub/keep/k sub/s x'],
      ['**/d', '!bang .dockerignore .hidden 1.txt Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt c.md d.md dir/ keep other/ other/dir/ sub/ sub/deep/ sub/deep/keep/ sub/deep/keep/k sub/keep/ sub/keep/k sub/s x'],
      ['/other/dir\n# c\n!a', '!bang .dockerignore .hidden 1.txt Dockerfile a/ a/b/ a/b/f a/x/ a/x/b/ a/x/b/f ab.txt c.md d.md dir/ dir/d keep other/ sub/ sub/deep/ sub/deep/keep/ sub/deep/keep/k sub/keep/ sub/keep/k sub/s x'],
    ];
    for (const [rules, expected] of cases) {
      writeFileSync(path.join(ctx, '.dockerignore'), rules);
      const excludes = trimBuildFilesFromExcludes(readDockerignore(ctx), 'Dockerfile', false);
      const names = (await readTar(tarDirectory(ctx, excludes))).map((e) => e.name);
      assert.equal(names.join(' '), expected, JSON.stringify(rules));
    }
  });

  test('a Dockerfile given with -f is kept when excluded; one from stdin is not forced in', async () => {
    const ctx = path.join(dir, 'named');
    writeTree(ctx, { 'build/App.dockerfile': 'FROM busybox\n', 'build/other': 'o', '.dockerignore': 'build\n' });
    const kept = await readTar(tarDirectory(ctx, trimBuildFilesFromExcludes(readDockerignore(ctx), 'build/App.dockerfile', false)));
    assert.deepEqual(kept.map((e) => e.name), ['.dockerignore', 'build/App.dockerfile']);
    const stdin = await readTar(tarDirectory(ctx, trimBuildFilesFromExcludes(readDockerignore(ctx), '-', true)));
    assert.deepEqual(stdin.map((e) => e.name), ['.dockerignore']);
  });

  test('no .dockerignore: everything is sent', async () => {
    const ctx = path.join(dir, 'plain');
    writeTree(ctx, { Dockerfile: 'FROM busybox\n', 'a/b/c': 'c' });
    const entries = await readTar(tarDirectory(ctx, trimBuildFilesFromExcludes(readDockerignore(ctx), 'Dockerfile', false)));
    assert.deepEqual(entries.map((e) => e.name), ['Dockerfile', 'a/', 'a/b/', 'a/b/c']);
  });

  test('a Dockerfile from stdin or outside the context is added under a random name and ignored', async () => {
    const withIgnore = await tarBuffer({ '.dockerignore': '*.tmp', 'x.txt': 'x' });
    const a = addDockerfileToContext(Readable.from([withIgnore]), Buffer.from('FROM busybox\n'));
    assert.match(a.name, /^\.dockerfile\.[0-9a-f]{20}$/);
    const entriesA = await readTar(a.stream);
    assert.deepEqual(entriesA.map((e) => e.name), ['.dockerignore', 'x.txt', a.name]);
    assert.equal(entriesA[0].body, `*.tmp\n${a.name}\n`);
    assert.equal(entriesA[2].body, 'FROM busybox\n');

    const b = addDockerfileToContext(Readable.from([await tarBuffer({ 'x.txt': 'x' })]), Buffer.from('FROM scratch\n'));
    const entriesB = await readTar(b.stream);
    assert.deepEqual(entriesB.map((e) => e.name), ['x.txt', b.name, '.dockerignore']);
    assert.equal(entriesB[2].body, `.dockerignore\n${b.name}\n`);
  });

  test('stdin: a tar (or compressed data) is an archive, a Dockerfile is not', async () => {
    assert.equal(isArchive(await tarBuffer({ Dockerfile: 'FROM busybox\n' })), true);
    assert.equal(isArchive(Buffer.from([0x1f, 0x8b, 0x08, 0, 0])), true);
    assert.equal(isArchive(Buffer.from('FROM busybox\nRUN true\n'.padEnd(1024, '#'))), false);
    assert.equal(isArchive(Buffer.alloc(1024)), false);
    const only = await readTar(dockerfileOnlyContext(Buffer.from('FROM busybox\n')));
    assert.deepEqual(only.map((e) => [e.name, e.body]), [['Dockerfile', 'FROM busybox\n']]);
  });

  test('flag values: --add-host, --build-arg, git URLs', () => {
    assert.equal(normalizeExtraHost('foo:1.2.3.4'), 'foo:1.2.3.4');
    assert.equal(normalizeExtraHost('foo=[::1]'), 'foo:::1');
    assert.equal(normalizeExtraHost('gw:host-gateway'), 'gw:host-gateway');
    assert.throws(() => normalizeExtraHost('foo'), /bad format for add-host: "foo"/);
    assert.throws(() => normalizeExtraHost('foo:nope'), /invalid IP address in add-host: "nope"/);
    assert.deepEqual(buildArgsMap(['A=1', 'B', 'C=', 'D'], { B: 'env' }), { A: '1', B: 'env', C: '', D: null });
    assert.equal(isGitURL('https://example.com/r.git#main:sub'), true);
    assert.equal(isGitURL('git@example.com:r.git'), true);
    assert.equal(isGitURL('github.com/moby/moby'), true);
    assert.equal(isGitURL('file:///srv/repo'), true);
    assert.equal(isGitURL('https://example.com/ctx.tar'), false);
    assert.deepEqual(parseGitURL('https://example.com/r.git#v1:sub/dir'), { remote: 'https://example.com/r.git', ref: 'v1', subdir: 'sub/dir' });
    assert.deepEqual(parseGitURL('github.com/a/b'), { remote: 'https://github.com/a/b', ref: '', subdir: '' });
  });
});

/** A daemon that answers /_ping and POST /build with a scripted JSON stream, recording requests. */
class FakeDaemon {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'bcli-fake-'));
  readonly socket = path.join(this.dir, 'fake.sock');
  readonly host = `unix://${this.socket}`;
  requests: { url: URL; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  reply: (url: URL) => { status: number; lines: string[] } = () => ({ status: 200, lines: [] });
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.41', 'Content-Type': 'text/plain' });
        res.end(req.method === 'HEAD' ? undefined : 'OK');
        return;
      }
      this.requests.push({ url, headers: req.headers, body: Buffer.concat(chunks) });
      const { status, lines } = this.reply(url);
      if (status >= 400) {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(lines[0]);
        return;
      }
      res.writeHead(status, { 'Content-Type': 'application/json' });
      for (const line of lines) res.write(`${line}\r\n`);
      res.end();
    });
  });

  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.socket, resolve));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => {
      rmSync(this.dir, { recursive: true, force: true });
      resolve();
    }));
  }
}

const ID = `sha256:${'ab12'.repeat(16)}`;
const okStream = [
  JSON.stringify({ stream: 'Step 1/1 : FROM busybox\n' }),
  JSON.stringify({ stream: ' ---> 5cea6938fb2e\n' }),
  JSON.stringify({ aux: { ID } }),
  JSON.stringify({ stream: 'Successfully built ab12ab12ab12\n' }),
];

describe('berth build against a scripted daemon', () => {
  const fake = new FakeDaemon();
  let ctx = '';
  before(async () => {
    await fake.start();
    ctx = path.join(fake.dir, 'ctx');
    writeTree(ctx, { Dockerfile: 'FROM busybox\n', 'a.txt': 'a\n' });
  });
  after(() => fake.stop());

  test('sends the context tar and docker\'s query; prints the stream after "Sending build context"', async () => {
    fake.reply = () => ({ status: 200, lines: okStream });
    fake.requests = [];
    const r = await berthAsync(fake.host, [
      'build', '-t', `${P}:one`, '-t', `${P}:two`, '--build-arg', 'A=1', '--build-arg', 'FROMENV', '--build-arg', 'UNSET_BCLI_X', '--label', 'l=v',
      '--target', 'final', '--no-cache', '--pull', '--force-rm', '--network', 'host', '--add-host', 'h=10.0.0.1', '--platform', 'Linux/AMD64', ctx,
    ], { env: { FROMENV: 'e' } });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Sending build context to Docker daemon  3.072kB\r\r\nStep 1/1 : FROM busybox\n ---> 5cea6938fb2e\nSuccessfully built ab12ab12ab12\n');
    const [req] = fake.requests;
    assert.match(req.url.pathname, /^\/v1\.41\/build$/);
    const q = req.url.searchParams;
    assert.deepEqual(q.getAll('t'), [`${P}:one`, `${P}:two`]);
    assert.deepEqual(JSON.parse(q.get('buildargs') ?? ''), { A: '1', FROMENV: 'e', UNSET_BCLI_X: null });
    assert.deepEqual(JSON.parse(q.get('labels') ?? ''), { l: 'v' });
    assert.equal(q.get('dockerfile'), 'Dockerfile');
    assert.equal(q.get('target'), 'final');
    assert.equal(q.get('nocache'), '1');
    assert.equal(q.get('pull'), '1');
    assert.equal(q.get('rm'), null); // docker 28 leaves the default (remove) unsaid
    assert.equal(q.get('forcerm'), '1');
    assert.equal(q.get('networkmode'), 'host');
    assert.deepEqual(q.getAll('extrahosts'), ['h:10.0.0.1']);
    assert.equal(q.get('platform'), 'linux/amd64');
    assert.equal(q.get('q'), null);
    assert.equal(req.headers['content-type'], 'application/x-tar');
    const entries = await readTar(Readable.from([req.body]));
    assert.deepEqual(entries.map((e) => e.name), ['Dockerfile', 'a.txt']);
  });

  test('the query holds only what differs from the defaults, keys sorted (as docker 28 sends it)', async () => {
    fake.reply = () => ({ status: 200, lines: okStream });
    fake.requests = [];
    assert.equal((await berthAsync(fake.host, ['build', ctx])).code, 0);
    assert.equal(fake.requests[0].url.search, '?dockerfile=Dockerfile&version=1');
    assert.equal((await berthAsync(fake.host, ['build', '--rm=false', '-q', '--cache-from', 'a,b', '-m', '64m', '--shm-size', '1m', '--label', 'a', '--security-opt', 'seccomp=unconfined', ctx])).code, 0);
    assert.equal(
      fake.requests[1].url.search,
      '?cachefrom=%5B%22a%22%2C%22b%22%5D&dockerfile=Dockerfile&labels=%7B%22a%22%3A%22%22%7D&memory=67108864&q=1&rm=0&securityopt=seccomp%3Dunconfined&shmsize=1048576&version=1',
    );
    assert.equal(fake.requests[1].headers['x-registry-config'], 'e30=');
  });

  test('-q prints only what the daemon streams (the id); --iidfile gets the aux ID', async () => {
    fake.reply = (url) => ({ status: 200, lines: url.searchParams.get('q') ? [JSON.stringify({ stream: `${ID}\n` }), JSON.stringify({ aux: { ID } })] : okStream });
    const iid = path.join(fake.dir, 'iid');
    const quiet = await berthAsync(fake.host, ['build', '-q', '--iidfile', iid, ctx]);
    assert.deepEqual(quiet, { code: 0, stdout: `${ID}\n`, stderr: '' });
    assert.equal(readFileSync(iid, 'utf8'), `${ID}\n`); // as docker: -q writes the streamed text
    const loud = await berthAsync(fake.host, ['build', '--iidfile', iid, ctx]);
    assert.equal(loud.code, 0);
    assert.equal(readFileSync(iid, 'utf8'), ID);
  });

  test('an errorDetail ends the build with its message on stderr and its code (1 when none)', async () => {
    fake.reply = () => ({
      status: 200,
      lines: [
        JSON.stringify({ stream: 'Step 1/2 : FROM busybox\n' }),
        JSON.stringify({ errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }, error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }),
      ],
    });
    const r = await berthAsync(fake.host, ['build', ctx]);
    assert.deepEqual(r, {
      code: 3,
      stdout: 'Sending build context to Docker daemon  3.072kB\r\r\nStep 1/2 : FROM busybox\n',
      stderr: "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n",
    });
    // -q holds the output back and shows it on stderr when the build fails
    const q = await berthAsync(fake.host, ['build', '-q', ctx]);
    assert.deepEqual(q, {
      code: 3,
      stdout: '',
      stderr: "Sending build context to Docker daemon  3.072kB\r\r\nStep 1/2 : FROM busybox\nThe command '/bin/sh -c exit 3' returned a non-zero code: 3\n",
    });
    fake.reply = () => ({ status: 200, lines: [JSON.stringify({ errorDetail: { message: 'boom' }, error: 'boom' })] });
    assert.deepEqual(await berthAsync(fake.host, ['build', '-q', ctx]), { code: 1, stdout: '', stderr: 'Sending build context to Docker daemon  3.072kB\r\r\nboom\n' });
  });

  test('an error status is "Error response from daemon", exit 1', async () => {
    fake.reply = () => ({ status: 400, lines: [JSON.stringify({ message: 'dockerfile parse error line 2: unknown instruction: FOO' })] });
    const r = await berthAsync(fake.host, ['build', ctx]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: dockerfile parse error line 2: unknown instruction: FOO\n');
  });

  test('context from stdin: a tar as it is, a Dockerfile wrapped in a tar; -f - adds the Dockerfile', async () => {
    fake.reply = () => ({ status: 200, lines: okStream });
    fake.requests = [];
    const tarIn = await tarBuffer({ 'sub/Dockerfile.x': 'FROM busybox\n', 'data': 'd' });
    assert.equal((await berthAsync(fake.host, ['build', '-f', 'sub/Dockerfile.x', '-'], { input: tarIn })).code, 0);
    assert.equal(fake.requests[0].url.searchParams.get('dockerfile'), 'sub/Dockerfile.x');
    assert.deepEqual(fake.requests[0].body, tarIn);

    const df = await berthAsync(fake.host, ['build', '-'], { input: 'FROM busybox\nCMD ["x"]\n' });
    assert.equal(df.code, 0);
    assert.match(df.stdout, /^Sending build context to Docker daemon  2\.048kB\r\r\n/);
    assert.deepEqual((await readTar(Readable.from([fake.requests[1].body]))).map((e) => [e.name, e.body]), [['Dockerfile', 'FROM busybox\nCMD ["x"]\n']]);

    const fromStdin = await berthAsync(fake.host, ['build', '-f', '-', ctx], { input: 'FROM busybox\nCMD ["y"]\n' });
    assert.equal(fromStdin.code, 0);
    const name = fake.requests[2].url.searchParams.get('dockerfile') ?? '';
    assert.match(name, /^\.dockerfile\.[0-9a-f]{20}$/);
    const entries = await readTar(Readable.from([fake.requests[2].body]));
    assert.deepEqual(entries.map((e) => e.name), ['Dockerfile', 'a.txt', name, '.dockerignore']);
    assert.equal(entries[2].body, 'FROM busybox\nCMD ["y"]\n');
  });

  test('an http URL: a tarball or a Dockerfile, downloaded by the CLI', async () => {
    fake.reply = () => ({ status: 200, lines: okStream });
    fake.requests = [];
    const tarball = await tarBuffer({ Dockerfile: 'FROM busybox\n', f: 'f' });
    const web = http.createServer((req, res) => {
      if (req.url === '/ctx.tar') res.end(tarball);
      else if (req.url === '/Dockerfile') res.end('FROM busybox\nCMD ["url"]\n');
      else {
        res.writeHead(404, 'Not Found');
        res.end('nope\n');
      }
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
    try {
      const t = await berthAsync(fake.host, ['build', `${base}/ctx.tar`]);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, new RegExp(`^Downloading build context from remote url: ${base}/ctx\\.tar \\[=+>\\]  3\\.072kB/3\\.072kB\\r\\r\\nSending build context to Docker daemon  3\\.072kB\\r\\r\\n`));
      assert.deepEqual(fake.requests[0].body, tarball);
      const d = await berthAsync(fake.host, ['build', '-q', `${base}/Dockerfile`]);
      assert.equal(d.code, 0, d.stderr);
      assert.deepEqual((await readTar(Readable.from([fake.requests[1].body]))).map((e) => [e.name, e.body]), [['Dockerfile', 'FROM busybox\nCMD ["url"]\n']]);
      const missing = await berthAsync(fake.host, ['build', `${base}/missing`]);
      assert.deepEqual(missing, {
        code: 1,
        stdout: '',
        stderr: `unable to prepare context: unable to download remote context ${base}/missing: failed to GET ${base}/missing with status 404 Not Found: nope\n`,
      });
    } finally {
      web.close();
    }
  });

  test('bad input: docker\'s messages and exit codes', async () => {
    const cases: [string[], number, RegExp][] = [
      [['build'], 1, /^berth: 'berth build' requires 1 argument\n\nUsage:  berth build \[OPTIONS\] PATH \| URL \| -\n/],
      [['build', path.join(fake.dir, 'nonexist')], 1, /^unable to prepare context: path ".*nonexist" not found\n$/],
      [['build', '-f', 'nothere', ctx], 1, /^unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat .*\/nothere: no such file or directory\n$/],
      [['build', '-f', '-', '-'], 1, /^invalid argument: can't use stdin for both build context and dockerfile\n$/],
      [['build', '-t', 'Bad:Tag', ctx], 125, /^invalid argument "Bad:Tag" for "-t, --tag" flag: invalid reference format: repository name \(library\/Bad\) must be lowercase\n/],
      [['build', '--add-host', 'foo', ctx], 125, /^invalid argument "foo" for "--add-host" flag: bad format for add-host: "foo"\n/],
      [['build', '--build-arg', '=x', ctx], 125, /^invalid argument "=x" for "--build-arg" flag: invalid environment variable: =x\n/],
      [['build', '--label', '=x', ctx], 125, /^invalid argument "=x" for "--label" flag: invalid label '=x': empty name\n/],
      [['build', '-f', 'Dockerfile', '-'], 1, /^unable to prepare context: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles\n$/],
    ];
    for (const [args, code, stderr] of cases) {
      const r = await berthAsync(fake.host, args, { input: 'FROM busybox\n' });
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr, args.join(' '));
    }
  });
});

// --- real builds

const EXTERNAL_HOST = process.env.BERTH_TEST_HOST;

function berthSync(host: string, args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Result {
  const r = spawnSync(process.execPath, ['--', BERTH, '-H', host, ...args], { input: opts.input ?? '', cwd: opts.cwd, env: { ...process.env, ...opts.env }, timeout: 120_000, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** POST /build of a one-line Dockerfile: does the daemon have a builder at all? */
function probeBuild(socket: string): Promise<number> {
  return tarBuffer({ Dockerfile: 'FROM busybox\n' }).then(
    (body) =>
      new Promise((resolve, reject) => {
        const req = http.request({ socketPath: socket, method: 'POST', path: '/v1.41/build?q=1', headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      }),
  );
}

describe('berth build against a daemon', () => {
  let daemon: TestDaemon | undefined;
  let host = EXTERNAL_HOST ?? '';
  let dir = '';
  let skipReason = '';
  let untagged = 0;
  /** What the builds made, from their output: `after` removes these on a shared daemon. */
  const made = { containers: new Set<string>(), images: new Set<string>() };
  const track = (r: Result): Result => {
    const text = r.stdout + r.stderr;
    for (const m of text.matchAll(/Running in ([0-9a-f]{12})/g)) made.containers.add(m[1]);
    for (const m of text.matchAll(/Successfully built ([0-9a-f]{12})/g)) made.images.add(m[1]);
    for (const m of text.matchAll(/^sha256:([0-9a-f]{64})$/gm)) made.images.add(m[1]);
    return r;
  };
  /** berth against the daemon; a build without -t gets a bcli-* tag, so that `after` can remove it. */
  const b = (args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const tagged = args[0] !== 'build' || args.includes('-t') ? args : ['build', '-t', `${P}-auto${++untagged}`, ...args.slice(1)];
    return track(berthSync(host, tagged, opts));
  };
  const need = (t: TestContext): boolean => {
    if (skipReason) t.skip(skipReason);
    return !skipReason;
  };

  before(async () => {
    if (!EXTERNAL_HOST) {
      daemon = await startDaemonWithBusybox();
      host = daemon.host;
    }
    dir = mkdtempSync(path.join(tmpdir(), 'bcli-build-'));
    const status = await probeBuild(host.replace(/^unix:\/\//, ''));
    if (status === 404) skipReason = 'the daemon has no builder yet (POST /build answers 404)';
  });

  after(async () => {
    try {
      if (daemon) await daemon.stop();
      else if (host) {
        const list = b(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout.split('\n').filter((i) => i.startsWith(P));
        if (list.length) b(['rmi', '-f', ...list]);
        // failed steps' containers, and images left untagged when a later build took their tag
        for (const id of made.containers) berthSync(host, ['rm', '-f', id]);
        for (const id of made.images) berthSync(host, ['rmi', id]);
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a directory context: the classic builder output, the image tagged', (t) => {
    if (!need(t)) return;
    const ctx = path.join(dir, 'basic');
    writeTree(ctx, { Dockerfile: 'FROM busybox\nRUN echo built-here\nCMD ["echo", "hi"]\n', 'a.txt': 'a\n' });
    const r = b(['build', '-t', `${P}-basic`, '-t', `${P}-basic:v2`, ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Sending build context to Docker daemon  3\.072kB\r\r\n/);
    assert.match(r.stdout, /\nStep 1\/3 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/3 : RUN echo built-here\n/);
    // --rm is the default: the RUN step's container is removed
    assert.match(r.stdout, /\nStep 2\/3 : RUN echo built-here\n ---> Running in ([0-9a-f]{12})\nbuilt-here\nRemoving intermediate container \1\n ---> [0-9a-f]{12}\n/);
    assert.match(r.stdout, /\nSuccessfully built [0-9a-f]{12}\nSuccessfully tagged bcli-t\d+-basic:latest\nSuccessfully tagged bcli-t\d+-basic:v2\n$/);
    const cmd = b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', `${P}-basic:v2`]);
    assert.equal(cmd.stdout, '["echo","hi"]\n');
    // `berth image build` is the same command
    const again = b(['image', 'build', '-q', '-t', `${P}-basic`, ctx]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `${b(['image', 'inspect', '-f', '{{.Id}}', `${P}-basic`]).stdout}`);
  });

  test('-q prints only the id; --iidfile; --build-arg; --label', (t) => {
    if (!need(t)) return;
    const ctx = path.join(dir, 'args');
    writeTree(ctx, { Dockerfile: 'FROM busybox\nARG A\nARG B\nRUN echo "$A-$B" > /args\nCMD ["cat", "/args"]\n' });
    const iid = path.join(dir, 'iid');
    const r = b(['build', '-q', '--no-cache', '--iidfile', iid, '--build-arg', 'A=one', '--build-arg', 'B', '--label', 'bcli=yes', '-t', `${P}-args`, ctx], { env: { B: 'two' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(readFileSync(iid, 'utf8'), r.stdout);
    const run = b(['run', '--rm', `${P}-args`]);
    assert.equal(run.stdout, 'one-two\n');
    assert.equal(b(['image', 'inspect', '-f', '{{index .Config.Labels "bcli"}}', `${P}-args`]).stdout, 'yes\n');
  });

  test('.dockerignore: what COPY sees', (t) => {
    if (!need(t)) return;
    const ctx = path.join(dir, 'ignored');
    writeTree(ctx, {
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\nRUN cd /ctx && find . | sort\n',
      '.dockerignore': '**/*.log\n!keep.log\n/top\nDockerfile\n',
      'a.log': 'x',
      'keep.log': 'k',
      'sub/b.log': 'y',
      'sub/c.txt': 'c',
      'top/t': 't',
      'sub/top/u': 'u',
    });
    const r = b(['build', '--no-cache', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n\.\n\.\/\.dockerignore\n\.\/keep\.log\n\.\/sub\n\.\/sub\/c\.txt\n\.\/sub\/top\n\.\/sub\/top\/u\n/);
  });

  test('-f: a Dockerfile in the context, outside it, and from stdin', (t) => {
    if (!need(t)) return;
    const ctx = path.join(dir, 'files');
    writeTree(ctx, { 'docker/Build.file': 'FROM busybox\nCMD ["inside"]\n', 'x': 'x' });
    writeFileSync(path.join(dir, 'Outside.dockerfile'), 'FROM busybox\nCOPY x /x\nCMD ["outside"]\n');
    const inside = b(['build', '-q', '-f', path.join(ctx, 'docker/Build.file'), ctx]);
    assert.equal(inside.code, 0, inside.stderr);
    assert.equal(b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', inside.stdout.trim()]).stdout, '["inside"]\n');
    const outside = b(['build', '-q', '-f', 'Outside.dockerfile', ctx], { cwd: dir });
    assert.equal(outside.code, 0, outside.stderr);
    assert.equal(b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', outside.stdout.trim()]).stdout, '["outside"]\n');
    const stdin = b(['build', '-q', '-f', '-', ctx], { input: 'FROM busybox\nCMD ["stdin"]\n' });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal(b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', stdin.stdout.trim()]).stdout, '["stdin"]\n');
  });

  test('context "-": a tar, or a Dockerfile', async (t) => {
    if (!need(t)) return;
    const tarIn = await tarBuffer({ Dockerfile: 'FROM busybox\nCOPY f /f\nCMD ["cat", "/f"]\n', f: 'from-tar\n' });
    const r = b(['build', '-t', `${P}-stdin`, '-'], { input: tarIn });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sending build context to Docker daemon  3\.072kB\r\r\n/);
    assert.equal(b(['run', '--rm', `${P}-stdin`]).stdout, 'from-tar\n');
    const df = b(['build', '-q', '-'], { input: 'FROM busybox\nCMD ["dockerfile-on-stdin"]\n' });
    assert.equal(df.code, 0, df.stderr);
    assert.equal(b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', df.stdout.trim()]).stdout, '["dockerfile-on-stdin"]\n');
  });

  test('a git repository (file:// URL, #ref:subdir)', (t) => {
    if (!need(t)) return;
    if (spawnSync('git', ['--version']).error) return t.skip('git is not installed');
    const repo = path.join(dir, 'repo');
    writeTree(repo, { Dockerfile: 'FROM busybox\nCMD ["root"]\n', 'app/Dockerfile': 'FROM busybox\nCOPY . /app/\nCMD ["ls", "/app"]\n', 'app/code.txt': 'c' });
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'one');
    git('tag', 'v1');
    writeFileSync(path.join(repo, 'Dockerfile'), 'FROM busybox\nCMD ["later"]\n');
    git('commit', '-qam', 'two');
    const head = b(['build', '-q', `file://${repo}`]);
    assert.equal(head.code, 0, head.stderr);
    assert.equal(b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', head.stdout.trim()]).stdout, '["later"]\n');
    const tagged = b(['build', '-q', `file://${repo}#v1`]);
    assert.equal(b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', tagged.stdout.trim()]).stdout, '["root"]\n');
    const sub = b(['build', '-t', `${P}-git`, `file://${repo}#main:app`]);
    assert.equal(sub.code, 0, sub.stderr);
    assert.equal(b(['run', '--rm', `${P}-git`]).stdout, 'Dockerfile\ncode.txt\n');
    const missing = b(['build', `file://${repo}#nosuchref`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^unable to prepare context: unable to 'git clone' to temporary context directory: error fetching: .*nosuchref/);
  });

  test('berth builder build; --network, --add-host and --platform reach the RUN containers', (t) => {
    if (!need(t)) return;
    assert.match(b(['builder', 'build', '--help']).stdout, /\nAliases:\n  berth image build, berth build, berth builder build\n/);
    const ctx = path.join(dir, 'network');
    writeTree(ctx, { Dockerfile: 'FROM busybox\nRUN tail -n 2 /etc/hosts; ls /sys/class/net\n' });
    const r = b(['builder', 'build', '--no-cache', '--network', 'none', '--add-host', 'db=10.1.2.3', '--add-host', 'v6:[::1]', '--platform', 'linux/amd64', '-t', `${P}-network`, ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n ---> Running in [0-9a-f]{12}\n10\.1\.2\.3\tdb\n::1\tv6\nlo\n/);
    const platform = b(['builder', 'build', '--platform', 'linux/', ctx]);
    assert.equal(platform.code, 1);
    assert.match(platform.stderr, /^Error response from daemon: "" is an invalid component of "linux\/": platform specifier component must match "\^\[A-Za-z0-9_-\]\+\$": invalid argument\n$/);
  });

  test('a failing step: the daemon\'s message on stderr, its exit code, nothing tagged', (t) => {
    if (!need(t)) return;
    const ctx = path.join(dir, 'fails');
    writeTree(ctx, { Dockerfile: 'FROM busybox\nRUN exit 7\n' });
    // On a shared daemon, --force-rm leaves no failed container behind (docker then says so).
    const r = b(['build', ...(daemon ? [] : ['--force-rm']), '-t', `${P}-fails`, ctx]);
    assert.equal(r.code, 7);
    assert.equal(r.stderr, "The command '/bin/sh -c exit 7' returned a non-zero code: 7\n");
    if (daemon) assert.match(r.stdout, /Step 2\/2 : RUN exit 7\n ---> Running in [0-9a-f]{12}\n$/);
    else assert.match(r.stdout, /Step 2\/2 : RUN exit 7\n ---> Running in ([0-9a-f]{12})\nRemoving intermediate container \1\n$/);
    assert.notEqual(b(['image', 'inspect', `${P}-fails`]).code, 0);
    const unknown = path.join(dir, 'unknown');
    writeTree(unknown, { Dockerfile: 'FROM busybox\nFOO bar\n' });
    const u = b(['build', unknown]);
    assert.equal(u.code, 1);
    assert.equal(u.stderr, 'Error response from daemon: dockerfile parse error line 2: unknown instruction: FOO\n');
  });

  const dockerCli = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => existsSync(p));
  /** DOCKER_BUILDKIT=0 docker against the same daemon, worded as berth (its legacy-builder notice dropped). */
  const docker = (args: string[], input = ''): Result => {
    const r = spawnSync(dockerCli ?? 'docker', args, { input, env: { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' }, timeout: 120_000 });
    const stderr = r.stderr.toString().replace(/^DEPRECATED: The legacy builder[\s\S]*?environment-variable\.\n\n/, '');
    return track({ code: r.status ?? -1, stdout: r.stdout.toString(), stderr: stderr.replace(/\bdocker (build|image)/g, 'berth $1') });
  };
  const ids = (r: Result): Result => {
    const strip = (s: string) => s.replace(/[0-9a-f]{64}/g, '<id>').replace(/\b[0-9a-f]{12}\b/g, '<short>');
    return { code: r.code, stdout: strip(r.stdout), stderr: strip(r.stderr) };
  };
  const sameAsDocker = (args: string[], input?: string) => assert.deepEqual(ids(b(args, { input })), ids(docker(args, input ?? '')), args.join(' '));
  const sameContext = () => {
    const ctx = path.join(dir, 'same');
    writeTree(ctx, {
      Dockerfile: 'FROM busybox\nARG A=1\nRUN echo "a=$A" && echo to-stderr >&2\nCOPY . /c/\nCMD ["sh"]\n',
      '.dockerignore': '*.log\n',
      'f.txt': 'f',
      'x.log': 'x',
      'fails.df': 'FROM busybox\nRUN exit 5\n',
      'unknown.df': 'FROM busybox\nFROB x\n',
    });
    return ctx;
  };

  test('the same stdout, stderr and exit code as DOCKER_BUILDKIT=0 docker build on this daemon', (t) => {
    if (!need(t)) return;
    if (!dockerCli) return t.skip('the docker CLI is not installed');
    const ctx = sameContext();
    sameAsDocker(['build', '--no-cache', '--build-arg', 'A=2', '-t', `${P}-same`, ctx]);
    sameAsDocker(['build', '--no-cache', '-q', '-t', `${P}-same`, ctx]);
    sameAsDocker(['build', '--no-cache', '-t', `${P}-same`, '-'], 'FROM busybox\nCMD ["x"]\n');
    sameAsDocker(['build', '-t', `${P}-same`, '-f', path.join(ctx, 'fails.df'), ctx]);
    sameAsDocker(['build', '-q', '-t', `${P}-same`, '-f', path.join(ctx, 'fails.df'), ctx]);
    sameAsDocker(['build', '-t', `${P}-same`, '-f', path.join(ctx, 'unknown.df'), ctx]);
    sameAsDocker(['build', '-t', `${P}-same`, '-f', path.join(ctx, 'nothere'), ctx]);
    sameAsDocker(['build', '-t', `${P}-same`, path.join(dir, 'no-such-dir')]);
    sameAsDocker(['build', '-t', 'Bad:Tag', ctx]);
    sameAsDocker(['build', '--target', 'nosuch', '-t', `${P}-same`, ctx]);
  });

  // docker sends a Dockerfile from outside the context in a tar that lacks its final padding
  // and end blocks (AddDockerfileToBuildContext closes the pipe before the tar writer), which
  // the daemon must accept; and with --force-rm, the failed step's container is reported removed.
  test('like docker: a Dockerfile outside the context sent by the docker CLI; --force-rm after a failed step', (t) => {
    if (!need(t)) return;
    if (!dockerCli) return t.skip('the docker CLI is not installed');
    const ctx = sameContext();
    writeFileSync(path.join(dir, 'outside.df'), 'FROM busybox\nCMD ["outside"]\n');
    const outside = docker(['build', '-q', '-t', `${P}-outside`, '-f', path.join(dir, 'outside.df'), ctx]);
    assert.equal(outside.code, 0, outside.stderr);
    const forceRm = ['build', '--force-rm', '-t', `${P}-same`, '-f', path.join(ctx, 'fails.df'), ctx];
    sameAsDocker(forceRm);
    assert.match(b(forceRm).stdout, / ---> Running in ([0-9a-f]{12})\nRemoving intermediate container \1\n$/);
  });

  test('--target stops at the named stage', (t) => {
    if (!need(t)) return;
    const ctx = path.join(dir, 'stages');
    writeTree(ctx, { Dockerfile: 'FROM busybox AS first\nCMD ["first"]\n\nFROM busybox\nCMD ["second"]\n' });
    const r = b(['build', '-q', '--target', 'first', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(b(['image', 'inspect', '-f', '{{json .Config.Cmd}}', r.stdout.trim()]).stdout, '["first"]\n');
  });
});

if (!existsSync(BERTH)) throw new Error(`${BERTH} is missing`);
