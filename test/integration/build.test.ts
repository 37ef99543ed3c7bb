// The classic builder (POST /build) end to end: the docker CLI with DOCKER_BUILDKIT=0
// against a berthd of this file's own, and the raw API for what the CLI hides.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { startDaemonWithBusybox, type TestDaemon } from '../helpers/daemon.js';
import { bareClone, gitRepo, hasGit, serveFiles, type FileServer } from '../helpers/remote-context.js';

process.env.DOCKER_BUILDKIT = '0';

let daemon: TestDaemon;
let work: string;

before(async () => {
  daemon = await startDaemonWithBusybox();
  work = mkdtempSync('/tmp/berth-build-test-');
});

after(async () => {
  await daemon?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A context directory with these files (a trailing "/" makes a directory). */
function context(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(dir, file);
    if (file.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  return dir;
}

function build(dir: string, ...args: string[]) {
  return daemon.docker(['build', ...args, dir], { timeoutMs: 120000 });
}

function inspect(ref: string): any {
  const r = daemon.docker(['image', 'inspect', ref]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0];
}

/** The steps a build took from the cache, by step number. */
function cachedSteps(output: string): number[] {
  const steps: number[] = [];
  let step = 0;
  for (const line of output.split('\n')) {
    const m = /^Step (\d+)\//.exec(line);
    if (m) step = Number(m[1]);
    if (line.includes('---> Using cache')) steps.push(step);
  }
  return steps;
}

async function tarOf(entries: { name: string; content?: string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: 0o644 }, e.content ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const APP_DOCKERFILE = [
  'FROM busybox',
  'ENV GREETING=hello TARGET="the world"',
  'WORKDIR /app',
  'RUN echo "$GREETING" > made.txt && echo to-stderr >&2',
  'COPY msg.txt sub/ ./',
  'LABEL org.example.name=app',
  'EXPOSE 8080',
  'USER 1000:1000',
  'CMD ["sh", "-c", "cat made.txt msg.txt inner.txt; echo $TARGET"]',
].join('\n');

describe('docker build against berthd', () => {
  it('builds an image whose config and files are those of the Dockerfile, and runs it', () => {
    const dir = context('app', { Dockerfile: APP_DOCKERFILE, 'msg.txt': 'from the context\n', 'sub/inner.txt': 'inner\n' });
    const r = build(dir, '-t', 'bld-app', '-t', 'bld-app:v1');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^Step 1\/9 : FROM busybox$/m);
    assert.match(r.stdout, /^ ---> Running in [0-9a-f]{12}$/m);
    assert.match(r.stdout, /\u001b\[91mto-stderr\n\u001b\[0m/, 'stderr in red, as dockerd');
    assert.match(r.stdout, /Removing intermediate container [0-9a-f]{12}$/m);
    assert.match(r.stdout, /^Successfully built [0-9a-f]{12}$/m);
    assert.match(r.stdout, /^Successfully tagged bld-app:latest\nSuccessfully tagged bld-app:v1$/m);

    const image = inspect('bld-app');
    assert.deepEqual(image.Config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=hello', 'TARGET=the world']);
    assert.equal(image.Config.WorkingDir, '/app');
    assert.equal(image.Config.User, '1000:1000');
    assert.deepEqual(image.Config.Cmd, ['sh', '-c', 'cat made.txt msg.txt inner.txt; echo $TARGET']);
    assert.deepEqual(image.Config.Labels, { 'org.example.name': 'app' });
    assert.deepEqual(image.Config.ExposedPorts, { '8080/tcp': {} });
    assert.equal(image.RootFS.Layers.length, inspect('busybox').RootFS.Layers.length + 3, 'RUN, COPY and WORKDIR add a layer each (as in dockerd), the rest none');
    assert.equal(daemon.docker(['ps', '-aq']).stdout.trim(), '', 'no intermediate container is left');

    const history = daemon.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'bld-app']).stdout.split('\n');
    assert.equal(history[0], '/bin/sh -c #(nop)  CMD ["sh" "-c" "cat made.txt msg.txt inner.txt; echo $TARGET"]');
    assert.ok(history.includes('/bin/sh -c #(nop) WORKDIR /app'));
    assert.ok(history.includes('/bin/sh -c echo "$GREETING" > made.txt && echo to-stderr >&2'));

    const run = daemon.docker(['run', '--rm', 'bld-app']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hello\nfrom the context\ninner\nthe world\n');
    const owner = daemon.docker(['run', '--rm', '--user', '0', 'bld-app', 'stat', '-c', '%u:%g %a', 'msg.txt', '/app']);
    assert.equal(owner.stdout, '0:0 644\n0:0 755\n');
  });

  it('reuses every step from the cache, and rebuilds from a changed COPY source on', () => {
    const dir = path.join(work, 'app');
    const again = build(dir, '-t', 'bld-app');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(cachedSteps(again.stdout), [2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(inspect('bld-app').Id, inspect('bld-app:v1').Id);

    writeFileSync(path.join(dir, 'msg.txt'), 'changed\n');
    const changed = build(dir, '-t', 'bld-app');
    assert.equal(changed.code, 0, changed.stderr);
    assert.deepEqual(cachedSteps(changed.stdout), [2, 3, 4], 'steps up to the RUN are cached, COPY and later rebuilt');
    assert.equal(daemon.docker(['run', '--rm', 'bld-app', 'cat', 'msg.txt']).stdout, 'changed\n');

    const noCache = build(dir, '--no-cache', '-t', 'bld-app');
    assert.equal(noCache.code, 0, noCache.stderr);
    assert.deepEqual(cachedSteps(noCache.stdout), []);
  });

  it("fails on a failing RUN with Docker's message and exit code, tagging nothing", () => {
    const dir = context('fail', { Dockerfile: 'FROM busybox\nRUN echo before\nRUN exit 3\nCMD ["true"]\n' });
    const r = build(dir, '-t', 'bld-fail');
    assert.equal(r.code, 3, r.stdout);
    assert.match(r.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.doesNotMatch(r.stdout, /Step 4\/4/);
    assert.notEqual(daemon.docker(['image', 'inspect', 'bld-fail']).code, 0);
    // As dockerd: the failed step's container stays for a look, unless --force-rm.
    assert.equal(daemon.docker(['ps', '-aq']).stdout.trim().split('\n').filter(Boolean).length, 1);
    daemon.docker(['container', 'prune', '-f']);
    const forced = build(dir, '--force-rm', '-t', 'bld-fail');
    assert.equal(forced.code, 3);
    assert.equal(daemon.docker(['ps', '-aq']).stdout.trim(), '');
  });

  it('builds the --target stage of a multi-stage Dockerfile, skipping the stages it does not need', () => {
    const dir = context('multi', {
      Dockerfile: [
        'FROM busybox AS builder',
        'RUN mkdir /out && echo built > /out/artifact',
        'FROM busybox AS unused',
        'RUN exit 1',
        'FROM busybox AS final',
        'COPY --from=builder /out/artifact /artifact',
        'COPY --from=0 /out /copied-dir',
        'CMD ["cat", "/artifact"]',
        'FROM final AS extra',
        'RUN exit 1',
      ].join('\n'),
    });
    const r = build(dir, '--target', 'final', '-t', 'bld-multi');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /exit 1/);
    assert.equal(daemon.docker(['run', '--rm', 'bld-multi']).stdout, 'built\n');
    assert.equal(daemon.docker(['run', '--rm', 'bld-multi', 'cat', '/copied-dir/artifact']).stdout, 'built\n');
    const missing = build(dir, '--target', 'nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /failed to reach build target nope in Dockerfile/);
  });

  it('leaves out what .dockerignore excludes', () => {
    const dir = context('ignore', {
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\nCMD ["find", "/ctx", "-type", "f"]\n',
      '.dockerignore': '*.log\nsecret/\n!keep.log\n**/tmp\n',
      'a.txt': 'a',
      'b.log': 'b',
      'keep.log': 'k',
      'secret/key': 'k',
      'deep/tmp': 't',
      'deep/ok': 'o',
    });
    const r = build(dir, '-t', 'bld-ignore');
    assert.equal(r.code, 0, r.stderr);
    const files = daemon.docker(['run', '--rm', 'bld-ignore']).stdout.trim().split('\n').sort();
    assert.deepEqual(files, ['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/a.txt', '/ctx/deep/ok', '/ctx/keep.log']);
    const excluded = context('ignore2', { Dockerfile: 'FROM busybox\nCOPY b.log /\n', '.dockerignore': '*.log\n', 'b.log': 'b' });
    const fail = build(excluded);
    assert.notEqual(fail.code, 0);
    assert.match(fail.stderr, /COPY failed: file not found in build context or excluded by .dockerignore: stat b.log: file does not exist/);
  });

  it('takes build args: defaults, --build-arg, ARG before FROM, and warns about unused ones', () => {
    const dir = context('args', {
      Dockerfile: [
        'ARG BASE=busybox',
        'FROM ${BASE}',
        'ARG BASE',
        'ARG WHO=nobody',
        'ARG UNSET',
        'ENV FROM_ARG=${WHO:-x}-${UNSET:-unset}',
        'RUN echo "$BASE $WHO" > /args.txt',
        'CMD ["cat", "/args.txt"]',
      ].join('\n'),
    });
    const r = build(dir, '--build-arg', 'WHO=me', '--build-arg', 'EXTRA=1', '-t', 'bld-args');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\[Warning\] One or more build-args \[EXTRA\] were not consumed/);
    assert.equal(daemon.docker(['run', '--rm', 'bld-args']).stdout, 'busybox me\n');
    const image = inspect('bld-args');
    assert.ok(image.Config.Env.includes('FROM_ARG=me-unset'));
    assert.ok(!image.Config.Env.some((e: string) => e.startsWith('WHO=')), 'args do not persist in the image');
    const other = build(dir, '--build-arg', 'WHO=you', '-t', 'bld-args2');
    assert.deepEqual(cachedSteps(other.stdout), [2, 3, 4], 'a different arg value misses the cache from the first step that uses it');
    assert.equal(daemon.docker(['run', '--rm', 'bld-args2']).stdout, 'busybox you\n');
  });
});

describe('ONBUILD, ADD and COPY flags', () => {
  it('runs ONBUILD triggers in the child build, unpacks local archives with ADD, applies --chown and --chmod', () => {
    const dir = context('onbuild', {
      Dockerfile: [
        'FROM busybox',
        'ONBUILD RUN echo triggered > /trigger.txt',
        'ADD inner.tgz /unpacked/',
        'COPY --chown=1:2 plain.txt /owned/',
        'COPY --chown=1:2 --chmod=0600 plain.txt /modes/',
      ].join('\n'),
      'plain.txt': 'p\n',
      'inner/in.txt': 'inside\n',
    });
    const tarred = spawnSync('tar', ['czf', path.join(dir, 'inner.tgz'), '-C', path.join(dir, 'inner'), 'in.txt']);
    assert.equal(tarred.status, 0);
    const base = build(dir, '-t', 'bld-onbase');
    assert.equal(base.code, 0, base.stderr + base.stdout);
    assert.deepEqual(inspect('bld-onbase').Config.OnBuild, ['RUN echo triggered > /trigger.txt']);
    const files = daemon.docker(['run', '--rm', 'bld-onbase', 'sh', '-c', 'cat /unpacked/in.txt; stat -c "%u:%g %a" /owned/plain.txt /modes/plain.txt; test -e /trigger.txt || echo no-trigger']);
    assert.equal(files.stdout, 'inside\n1:2 644\n1:2 600\nno-trigger\n');

    const child = context('onbuild-child', { Dockerfile: 'FROM bld-onbase\nCMD ["cat", "/trigger.txt"]\n' });
    const r = build(child, '-t', 'bld-onchild');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /# Executing 1 build trigger/);
    assert.equal(daemon.docker(['run', '--rm', 'bld-onchild']).stdout, 'triggered\n');
    assert.equal(inspect('bld-onchild').Config.OnBuild, null, 'triggers run once, in the direct child');

    const badMode = build(context('chmod', { Dockerfile: 'FROM busybox\nCOPY --chmod=9z Dockerfile /\n' }));
    assert.equal(badMode.code, 1);
    assert.match(badMode.stderr, /invalid chmod parameter: 9z/);
  });
});

describe('POST /build on the wire', () => {
  it("streams dockerd's JSON messages", async () => {
    const body = await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nRUN echo "a<b>&c"\n' }]);
    const r = await daemon.api('POST', '/v1.41/build?t=bld-raw&rm=1', body, { 'Content-Type': 'application/x-tar' });
    assert.equal(r.status, 200);
    const lines = r.raw.toString().trim().split('\r\n');
    assert.equal(lines[0], '{"stream":"Step 1/2 : FROM busybox"}');
    assert.equal(lines[1], '{"stream":"\\n"}');
    assert.match(lines[2], /^\{"stream":" ---\\u003e [0-9a-f]{12}\\n"\}$/);
    assert.equal(lines[3], '{"stream":"Step 2/2 : RUN echo \\"a\\u003cb\\u003e\\u0026c\\""}');
    assert.ok(lines.includes('{"stream":"a\\u003cb\\u003e\\u0026c\\n"}'));
    assert.match(lines[lines.length - 3], /^\{"aux":\{"ID":"sha256:[0-9a-f]{64}"\}\}$/);
    assert.equal(lines[lines.length - 1], '{"stream":"Successfully tagged bld-raw:latest\\n"}');
  });

  it('reports a failing step with errorDetail.code, and Dockerfile syntax errors as 400', async () => {
    const failing = await daemon.api('POST', '/build', await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nRUN exit 7\n' }]), { 'Content-Type': 'application/x-tar' });
    const last = failing.raw.toString().trim().split('\r\n').pop();
    const message = "The command '/bin/sh -c exit 7' returned a non-zero code: 7";
    assert.equal(last, JSON.stringify({ errorDetail: { code: 7, message }, error: message }));
    const bad = await daemon.api('POST', '/build', await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nFOO bar\n' }]), { 'Content-Type': 'application/x-tar' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { message: 'dockerfile parse error line 2: unknown instruction: FOO' });
    const quiet = await daemon.api('POST', '/build?q=1', await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nENV Q=1\n' }]), { 'Content-Type': 'application/x-tar' });
    assert.match(quiet.raw.toString(), /^\{"stream":"sha256:[0-9a-f]{64}\\n"\}\r\n$/);
    daemon.docker(['container', 'prune', '-f']);
  });

  it('downloads ADD URLs (not unpacked, mode 0600), with the content in the cache key', async () => {
    let content = 'served over http\n';
    const server = http.createServer((req, res) => {
      if (req.url === '/files/served.txt') res.end(content);
      else res.writeHead(404).end('missing');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const dockerfile = `FROM busybox\nADD ${base}/files/served.txt /dl/\nADD ${base}/files/served.txt /named.txt\n`;
      const send = async (text: string) => (await daemon.api('POST', '/build?t=bld-url', await tarOf([{ name: 'Dockerfile', content: text }]), { 'Content-Type': 'application/x-tar' })).raw.toString();
      assert.match(await send(dockerfile), /Successfully tagged bld-url:latest/);
      const files = daemon.docker(['run', '--rm', 'bld-url', 'sh', '-c', 'cat /dl/served.txt /named.txt; stat -c "%a %u" /dl/served.txt']);
      assert.equal(files.stdout, 'served over http\nserved over http\n600 0\n');
      assert.equal((await send(dockerfile)).match(/Using cache/g)?.length, 2, 'same content: both ADD steps from the cache');
      content = 'changed\n';
      const changed = await send(dockerfile);
      assert.doesNotMatch(changed, /Using cache/, 'new content: the ADD steps run again');
      assert.equal(daemon.docker(['run', '--rm', 'bld-url', 'cat', '/named.txt']).stdout, 'changed\n');
      const missing = await send(`FROM busybox\nADD ${base}/nope /x\n`);
      assert.match(missing, new RegExp(`ADD failed: failed to GET ${base}/nope with status 404 Not Found: missing`));
    } finally {
      server.close();
    }
  });

  it('keeps a hostile context inside its temporary directory', async () => {
    const victim = path.join(work, 'victim');
    const body = await tarOf([
      { name: 'Dockerfile', content: 'FROM busybox\nCOPY link/etc/passwd /p\nCOPY . /ctx/\n' },
      { name: `../../../../../../../..${victim}`, content: 'escaped' },
      { name: 'link', type: 'symlink', linkname: '/' },
      { name: `link${victim}`, content: 'escaped' },
      { name: 'etc/passwd', content: 'the context passwd\n' },
    ]);
    const r = await daemon.api('POST', '/build?t=bld-hostile', body, { 'Content-Type': 'application/x-tar' });
    assert.equal(r.status, 200);
    assert.ok(!existsSync(victim), 'nothing written outside the context');
    assert.match(r.raw.toString(), /Successfully tagged bld-hostile:latest/);
    // A symlink in a source path resolves inside the context, never to the host's files.
    assert.equal(daemon.docker(['run', '--rm', 'bld-hostile', 'cat', '/p']).stdout, 'the context passwd\n');
  });
});

describe('POST /build?remote= and the RUN containers\' settings', () => {
  let web: FileServer;
  let repo = '';
  const send = (query: string, body: Buffer | string = '') => daemon.api('POST', `/v1.41/build?${query}`, body, { 'Content-Type': 'application/x-tar' });
  const lines = (raw: Buffer) => raw.toString().trim().split('\r\n');

  before(async () => {
    const served = context('served', {
      Dockerfile: 'FROM busybox\nRUN echo from-a-remote-dockerfile\n',
      'copy.Dockerfile': 'FROM busybox\nCOPY a.txt /a.txt\n',
      'page.html': '<!DOCTYPE html><html><body>not a context</body></html>\n',
      empty: '',
    });
    writeFileSync(path.join(served, 'ctx.tar.gz'), gzipSync(await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nCOPY a.txt /\n' }, { name: 'a.txt', content: 'from the archive\n' }])));
    if (hasGit()) {
      repo = gitRepo(path.join(work, 'repo'), { Dockerfile: 'FROM busybox\nCMD ["root"]\n', 'app/Dockerfile': 'FROM busybox\nCOPY . /app/\n', 'app/code.txt': 'code\n' });
      bareClone(repo, path.join(served, 'repo.git'));
    }
    web = await serveFiles(served, { 'ctx.tar.gz': 'application/x-gzip', 'copy.Dockerfile': 'text/plain; charset=utf-8', 'page.html': 'text/html' });
  });

  after(() => web?.close());

  it('builds a git repository: file:// with #ref:subdir, and over dumb http (no shallow fetch)', async (t) => {
    if (!repo) return t.skip('git is not installed');
    const sub = await send(`remote=${encodeURIComponent(`file://${repo}#main:app`)}&t=bld-git`);
    assert.equal(sub.status, 200);
    assert.match(sub.raw.toString(), /Successfully tagged bld-git:latest/);
    assert.equal(daemon.docker(['run', '--rm', 'bld-git', 'ls', '-a', '/app']).stdout, '.\n..\nDockerfile\ncode.txt\n');
    const http = await send(`remote=${encodeURIComponent(`${web.base}/repo.git`)}&t=bld-git-http`);
    assert.match(http.raw.toString(), /Successfully tagged bld-git-http:latest/);
    assert.deepEqual(inspect('bld-git-http').Config.Cmd, ['root']);

    const badRef = await send(`remote=${encodeURIComponent(`file://${repo}#nosuchref`)}`);
    assert.equal(badRef.status, 500);
    assert.match(badRef.body.message, /^error fetching: fatal: .*nosuchref[\s\S]*: exit status 128$/);
    const badDir = await send(`remote=${encodeURIComponent(`file://${repo}#main:nosuchdir`)}`);
    assert.equal(badDir.status, 500);
    assert.match(badDir.body.message, /^stat \/.*\/nosuchdir: no such file or directory$/);
  });

  it('builds an http URL: a compressed archive, or a Dockerfile alone', async () => {
    const archive = await send(`remote=${web.base}/ctx.tar.gz&t=bld-remote-tar`);
    assert.equal(archive.status, 200);
    assert.match(lines(archive.raw)[0], new RegExp(`^\\{"status":"${web.base}/ctx\\.tar\\.gz","progressDetail":\\{"current":\\d+\\},"progress":" +\\d+B","id":"Downloading context"\\}$`));
    assert.equal(daemon.docker(['run', '--rm', 'bld-remote-tar', 'cat', '/a.txt']).stdout, 'from the archive\n');

    // Served as application/octet-stream: sniffed as text, so it is the Dockerfile (`dockerfile` is not looked at).
    const dockerfile = lines((await send(`remote=${web.base}/Dockerfile&dockerfile=nope`)).raw);
    assert.match(dockerfile[0], /"progressDetail":\{"current":47\},"progress":"     47B","id":"Downloading context"\}$/);
    assert.equal(dockerfile[1], '{}');
    assert.ok(dockerfile.includes('{"stream":"from-a-remote-dockerfile\\n"}'));
    const copy = lines((await send(`remote=${web.base}/copy.Dockerfile`)).raw);
    assert.equal(copy[copy.length - 1], '{"errorDetail":{"message":"COPY failed: missing build context"},"error":"COPY failed: missing build context"}');
  });

  it("refuses what dockerd refuses, with its words and status codes", async () => {
    const cases: [string, number, string][] = [
      [`${web.base}/page.html`, 500, `error detecting content type for remote ${web.base}/page.html: unsupported Content-Type "text/html"`],
      [`${web.base}/empty`, 500, `error detecting content type for remote ${web.base}/empty: empty response`],
      [`${web.base}/missing`, 404, `error downloading remote context ${web.base}/missing: failed to GET ${web.base}/missing with status 404 Not Found: not found`],
      ['/srv/context', 500, 'remoteURL (/srv/context) could not be recognized as URL'],
    ];
    for (const [remote, status, message] of cases) {
      const r = await send(`remote=${encodeURIComponent(remote)}`);
      assert.deepEqual([r.status, r.body], [status, { message }], remote);
    }
  });

  it('gives RUN containers the shm size asked for', async () => {
    const body = await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nRUN df -k /dev/shm | tail -n 1\n' }]);
    const r = await send(`nocache=1&shmsize=${128 * 1024 * 1024}`, body);
    assert.match(r.raw.toString(), /shm +131072 /);
  });

  it('gives RUN containers the extrahosts and networkmode asked for', async () => {
    const body = await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nRUN tail -n 2 /etc/hosts; ls /sys/class/net\n' }]);
    const r = await send('nocache=1&networkmode=none&extrahosts=db:10.1.2.3&extrahosts=v6:::1', body);
    // The step's output, however it was split into messages: the hosts, and no interface but loopback.
    const output = lines(r.raw).map((line) => JSON.parse(line).stream ?? '').join('');
    assert.match(output, /\n ---> Running in [0-9a-f]{12}\n10\.1\.2\.3\tdb\n::1\tv6\nlo\nRemoving intermediate container/);
    const last = (query: string) => send(`nocache=1&${query}`, body).then((res) => lines(res.raw).pop());
    assert.equal(await last('extrahosts=garbage'), '{"errorDetail":{"message":"bad format for add-host: \\"garbage\\""},"error":"bad format for add-host: \\"garbage\\""}');
    assert.equal(await last('networkmode=nosuchnet'), '{"errorDetail":{"message":"network nosuchnet not found"},"error":"network nosuchnet not found"}');
  });

  it('takes any platform dockerd can parse, and refuses what it refuses', async () => {
    const busybox = await tarOf([{ name: 'Dockerfile', content: 'FROM busybox\nENV P=1\n' }]);
    for (const platform of ['linux', 'linux/amd64', 'LINUX/AMD64', 'x86_64']) assert.match((await send(`platform=${platform}`, busybox)).raw.toString(), /Successfully built/, platform);
    const unparsable = await send('platform=linux/', busybox);
    assert.deepEqual([unparsable.status, unparsable.body.message], [400, '"" is an invalid component of "linux/": platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument']);
    const unknown = await send('platform=nosuchos', busybox);
    assert.deepEqual([unknown.status, unknown.body.message], [400, '"nosuchos": unknown operating system or architecture: invalid argument']);
    // dockerd makes an empty root for its own OS only
    const scratch = await tarOf([{ name: 'Dockerfile', content: 'FROM scratch\nENV P=1\n' }]);
    assert.match(lines((await send('platform=windows', scratch)).raw).pop()!, /"error":"operating system is not supported"/);
    // the classic builder has no BUILDPLATFORM: it expands to nothing
    const fromFlag = await tarOf([{ name: 'Dockerfile', content: 'FROM --platform=$BUILDPLATFORM busybox\n' }]);
    const message = 'failed to parse platform : \\"\\" is an invalid component of \\"\\": platform specifier component must match \\"^[A-Za-z0-9_-]+$\\": invalid argument';
    assert.equal(lines((await send('', fromFlag)).raw).pop(), `{"errorDetail":{"message":"${message}"},"error":"${message}"}`);
  });
});
