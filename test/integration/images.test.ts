// The image API end to end over a unix socket: a Router with only the image routes
// and an ImageService on a fresh data root. Interop checks against the reference
// dockerd run when its socket exists (DOCKER_REF_HOST, default /tmp/refdocker/docker.sock).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { registerImageRoutes } from '../../src/daemon/routes/images.js';
import { listen } from '../../src/daemon/server/listener.js';
import { Router } from '../../src/daemon/server/router.js';
import { EventService } from '../../src/daemon/services/events.js';
import { ImageService } from '../../src/daemon/services/images.js';
import type { EventMessage, ImageInspect, ImageSummary } from '../../src/api/types.js';

const REF_SOCK = (process.env.DOCKER_REF_HOST ?? 'unix:///tmp/refdocker/docker.sock').replace(/^unix:\/\//, '');
const haveRef = existsSync(REF_SOCK) && spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST: `unix://${REF_SOCK}` } }).status === 0;
const refDocker = (...args: string[]) => execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${REF_SOCK}` }, maxBuffer: 1 << 28 });

interface Reply {
  status: number;
  body: Buffer;
  text: string;
  json: any;
}

function request(socketPath: string, method: string, url: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: url, headers: body !== undefined ? { 'Content-Type': 'application/x-tar', ...headers } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: buf, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A tiny root fs with the host's static busybox, enough to run a container on the reference dockerd. */
async function busyboxTar(extra = ''): Promise<Buffer> {
  const bb = await fs.readFile('/bin/busybox');
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  const add = (h: Partial<tar.Header> & { name: string }, b: Buffer | string = '') =>
    new Promise<void>((res, rej) => pack.entry({ mode: 0o755, mtime: new Date(1_600_000_000_000), ...h }, b, (e) => (e ? rej(e) : res())));
  await add({ name: 'bin/', type: 'directory' });
  await add({ name: 'bin/busybox' }, bb);
  await add({ name: 'bin/sh', type: 'symlink', linkname: 'busybox' });
  await add({ name: 'bin/cat', type: 'symlink', linkname: 'busybox' });
  await add({ name: 'etc/', type: 'directory' });
  await add({ name: 'etc/motd', mode: 0o644 }, `hello from berth${extra}\n`);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

describe('image API', () => {
  let dir: string;
  let sock: string;
  let server: http.Server;
  let images: ImageService;
  const events: EventMessage[] = [];
  let users = new Map<string, string>();
  const api = (method: string, url: string, body?: Buffer | string, headers?: Record<string, string>) => request(sock, method, url, body, headers);

  const start = async () => {
    const bus = new EventService();
    bus.subscribe((e) => events.push(e));
    images = new ImageService({ dataRoot: path.join(dir, 'root'), events: bus });
    await images.init();
    images.setUsageCheck((id) => users.get(id));
    const router = new Router();
    registerImageRoutes(router, images);
    server = await listen(router, `unix://${sock}`);
  };
  const stop = () => new Promise<void>((res) => server.close(() => res()));

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-images-'));
    sock = path.join(dir, 'api.sock');
    await start();
  });
  after(async () => {
    await stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  let firstId = '';

  it('imports a gzip tarball with changes and streams the id', async () => {
    const body = gzipSync(await busyboxTar());
    const q = new URLSearchParams({ fromSrc: '-', repo: 'img-test-a', tag: 'v1', message: 'first' });
    for (const c of ['CMD ["sh"]', 'ENV PATH=/bin A="x y"', 'ENV B=$A', 'EXPOSE 80 53/udp', 'LABEL l=1', 'WORKDIR /w', 'WORKDIR sub', 'ENTRYPOINT echo hi', 'USER nobody', 'VOLUME ["/data"]', 'STOPSIGNAL SIGTERM']) {
      q.append('changes', c);
    }
    const r = await api('POST', `/v1.41/images/create?${q}`, body);
    assert.equal(r.status, 200, r.text);
    const m = /^\{"status":"(sha256:[0-9a-f]{64})"\}\r\n$/.exec(r.text);
    assert.ok(m, r.text);
    firstId = m[1];
    const inspect = (await api('GET', '/v1.41/images/img-test-a:v1/json')).json as ImageInspect;
    assert.equal(inspect.Id, firstId);
    assert.deepEqual(inspect.RepoTags, ['img-test-a:v1']);
    assert.equal(inspect.Comment, 'first');
    assert.deepEqual(inspect.Config.Cmd, ['sh']);
    assert.deepEqual(inspect.Config.Env, ['PATH=/bin', 'A=x y', 'B=x y']);
    assert.deepEqual(inspect.Config.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(inspect.Config.Labels, { l: '1' });
    assert.equal(inspect.Config.WorkingDir, '/w/sub');
    assert.deepEqual(inspect.Config.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
    assert.equal(inspect.Config.User, 'nobody');
    assert.equal(inspect.Architecture, 'amd64');
    assert.equal(inspect.Os, 'linux');
    assert.ok(inspect.Size > 500_000);
    assert.equal(inspect.RootFS.Layers.length, 1);
    const ev = events.filter((e) => e.Type === 'image').map((e) => `${e.Action} ${e.Actor.Attributes.name}`);
    assert.deepEqual(ev, ['tag img-test-a:v1', `import ${firstId}`]);
    // the layer is on disk, unpacked once
    const resolved = await images.resolve('img-test-a:v1');
    assert.equal(await fs.readFile(path.join(resolved.layerDirs[0], 'etc/motd'), 'utf8'), 'hello from berth\n');
  });

  it('rejects invalid changes like dockerd', async () => {
    const r = await api('POST', `/v1.41/images/create?fromSrc=-&changes=${encodeURIComponent('RUN x')}`, await busyboxTar());
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { message: 'run is not a valid change command' });
  });

  it('resolves names, ids and prefixes; answers 404/400 like dockerd', async () => {
    for (const ref of ['img-test-a:v1', 'docker.io/library/img-test-a:v1', firstId, firstId.slice(7), firstId.slice(7, 19), firstId.slice(0, 19)]) {
      assert.equal((await images.resolve(ref)).id, firstId, ref);
    }
    await assert.rejects(images.resolve('img-test-a'), { message: 'No such image: img-test-a:latest' });
    let r = await api('GET', '/v1.41/images/nosuch/json');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { message: 'no such image: nosuch: No such image: nosuch:latest' });
    r = await api('GET', '/v1.41/images/Busybox/json');
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { message: 'no such image: Busybox: invalid reference format: repository name must be lowercase' });
    r = await api('GET', '/v1.41/images/nosuch/history');
    assert.deepEqual([r.status, r.json], [404, { message: 'No such image: nosuch:latest' }]);
  });

  it('tags (names with slashes and ports) and lists with filters', async () => {
    let r = await api('POST', `/v1.41/images/img-test-a:v1/tag?repo=localhost:5000/img-test/x&tag=v2`);
    assert.equal(r.status, 201, r.text);
    r = await api('POST', `/v1.41/images/img-test-a:v1/tag?repo=img-test-a&tag=latest`);
    assert.equal(r.status, 201);
    r = await api('POST', `/v1.41/images/img-test-a:v1/tag?repo=Img-test&tag=x`);
    assert.deepEqual([r.status, r.json], [500, { message: 'invalid reference format: repository name must be lowercase' }]);
    r = await api('GET', `/v1.41/images/localhost:5000/img-test/x:v2/json`);
    assert.equal(r.json.Id, firstId);
    const list = (await api('GET', '/v1.41/images/json')).json as ImageSummary[];
    const mine = list.find((i) => i.Id === firstId)!;
    assert.deepEqual(mine.RepoTags, ['img-test-a:latest', 'img-test-a:v1', 'localhost:5000/img-test/x:v2']);
    assert.equal(mine.Containers, -1);
    const byRef = (await api('GET', `/v1.41/images/json?filters=${encodeURIComponent('{"reference":["img-test-a:v*"]}')}`)).json as ImageSummary[];
    assert.deepEqual(byRef.map((i) => i.RepoTags), [['img-test-a:v1']]);
    const byLabel = (await api('GET', `/v1.41/images/json?filters=${encodeURIComponent('{"label":["l=2"]}')}`)).json as ImageSummary[];
    assert.equal(byLabel.length, 0);
    r = await api('GET', `/v1.41/images/json?filters=${encodeURIComponent('{"bogus":["x"]}')}`);
    assert.deepEqual([r.status, r.json], [400, { message: "Invalid filter 'bogus'" }]);
  });

  it('gives history in dockerd shape', async () => {
    const h = (await api('GET', '/v1.41/images/img-test-a:v1/history')).json;
    assert.equal(h.length, 1);
    assert.equal(h[0].Id, firstId);
    assert.equal(h[0].Comment, 'first');
    assert.equal(h[0].CreatedBy, '');
    assert.deepEqual(h[0].Tags, ['img-test-a:latest', 'img-test-a:v1', 'localhost:5000/img-test/x:v2']);
  });

  it('imports from an http URL with progress', async () => {
    const tarball = await busyboxTar(' (url)');
    const web = http.createServer((req, res) => {
      if (req.url === '/root.tar') res.end(tarball);
      else {
        res.statusCode = 404;
        res.end('not here');
      }
    });
    await new Promise<void>((res) => web.listen(0, '127.0.0.1', res));
    const port = (web.address() as { port: number }).port;
    try {
      let r = await api('POST', `/v1.41/images/create?fromSrc=${encodeURIComponent(`http://127.0.0.1:${port}/root.tar`)}&repo=img-test-url`);
      assert.equal(r.status, 200);
      const lines = r.text.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines[0], { status: `Downloading from http://127.0.0.1:${port}/root.tar` });
      assert.equal(lines.at(-2).status, 'Importing');
      assert.match(lines.at(-1).status, /^sha256:[0-9a-f]{64}$/);
      assert.equal((await api('GET', '/v1.41/images/img-test-url/json')).json.Comment, `Imported from http://127.0.0.1:${port}/root.tar`);
      r = await api('POST', `/v1.41/images/create?fromSrc=${encodeURIComponent(`http://127.0.0.1:${port}/missing.tar`)}&repo=img-test-url`);
      assert.equal(r.status, 404);
      assert.match(r.json.message, /^failed to GET http:\/\/127\.0\.0\.1:\d+\/missing\.tar with status 404/);
    } finally {
      web.close();
    }
  });

  it('fails pulls as dockerd does without a registry (500 before any stream)', async () => {
    const r = await api('POST', '/v1.41/images/create?fromImage=nosuchimage&tag=latest');
    assert.equal(r.status, 500);
    assert.match(r.json.message, /^Get "https:\/\/registry-1\.docker\.io\/v2\/": /);
  });

  it('refuses to remove images in use, untags, deletes with docker wording', async () => {
    users.set(firstId, 'c0ffee0123456789abcdef');
    let r = await api('DELETE', '/v1.41/images/img-test-a:v1');
    assert.deepEqual(r.json, [{ Untagged: 'img-test-a:v1' }], 'other tags remain: untag is fine');
    r = await api('DELETE', `/v1.41/images/${firstId.slice(7, 19)}`);
    assert.equal(r.status, 409);
    assert.deepEqual(r.json, { message: `conflict: unable to delete ${firstId.slice(7, 19)} (must be forced) - image is referenced in multiple repositories` });
    r = await api('DELETE', '/v1.41/images/img-test-a');
    assert.deepEqual(r.json, [{ Untagged: 'img-test-a:latest' }]);
    r = await api('DELETE', '/v1.41/images/localhost:5000/img-test/x:v2');
    assert.equal(r.status, 409);
    assert.deepEqual(r.json, {
      message: `conflict: unable to remove repository reference "localhost:5000/img-test/x:v2" (must force) - container c0ffee012345 is using its referenced image ${firstId.slice(7, 19)}`,
    });
    users = new Map();
    images.setUsageCheck((id) => users.get(id));
    const layerDirs = (await images.resolve(firstId)).layerDirs;
    const [diffID] = images.inspect(firstId).RootFS.Layers;
    r = await api('DELETE', '/v1.41/images/localhost:5000/img-test/x:v2');
    assert.equal(r.status, 200);
    // a single layer's chain id is its diff id
    assert.deepEqual(r.json, [{ Untagged: 'localhost:5000/img-test/x:v2' }, { Deleted: firstId }, { Deleted: diffID }]);
    assert.ok(!existsSync(layerDirs[0]), 'the layer is gone with its last image');
    r = await api('DELETE', '/v1.41/images/img-test-a:v1');
    assert.deepEqual([r.status, r.json], [404, { message: 'No such image: img-test-a:v1' }]);
  });

  it('saves in Docker 25 form and loads it back (and what the reference dockerd saves)', async () => {
    const imp = await api('POST', '/v1.41/images/create?fromSrc=-&repo=img-test-save&tag=1&changes=CMD%20%5B%22cat%22%2C%22%2Fetc%2Fmotd%22%5D', await busyboxTar(' (save)'));
    const id = JSON.parse(imp.text).status as string;
    const saved = await api('GET', '/v1.41/images/img-test-save:1/get');
    assert.equal(saved.status, 200);
    const names = execFileSync('tar', ['-t'], { input: saved.body }).toString().trim().split('\n');
    assert.ok(names.includes('manifest.json') && names.includes('index.json') && names.includes('oci-layout') && names.includes('repositories'));
    assert.ok(names.includes(`blobs/sha256/${id.slice(7)}`));
    const manifest = JSON.parse(execFileSync('tar', ['-xO', 'manifest.json'], { input: saved.body }).toString());
    assert.deepEqual(manifest[0].RepoTags, ['img-test-save:1']);
    assert.equal(manifest[0].Config, `blobs/sha256/${id.slice(7)}`);

    // load into a second, empty service: same id, same tag
    await api('DELETE', '/v1.41/images/img-test-save:1');
    const loaded = await api('POST', '/v1.41/images/load?quiet=1', saved.body);
    assert.equal(loaded.status, 200);
    assert.equal(loaded.text, '{"stream":"Loaded image: img-test-save:1\\n"}\n');
    assert.equal((await images.resolve('img-test-save:1')).id, id);

    const bad = await api('POST', '/v1.41/images/load', await busyboxTar());
    assert.equal(bad.status, 200);
    assert.match(bad.text, /^\{"errorDetail":\{"message":".*manifest\.json.*"\},"error":/);

    if (!haveRef) return;
    // berth → reference dockerd: load and run
    const out = execFileSync('docker', ['load'], { input: saved.body, env: { ...process.env, DOCKER_HOST: `unix://${REF_SOCK}` } }).toString();
    assert.match(out, /Loaded image: img-test-save:1/);
    try {
      assert.equal(refDocker('run', '--rm', 'img-test-save:1').toString(), 'hello from berth (save)\n');
      assert.equal(refDocker('image', 'inspect', '--format', '{{.Id}}', 'img-test-save:1').toString().trim(), id);
      // reference dockerd → berth
      refDocker('tag', 'img-test-save:1', 'img-test-ref:2');
      const refSaved = refDocker('save', 'img-test-ref:2');
      const r = await api('POST', '/v1.41/images/load', refSaved);
      assert.equal(r.text, '{"stream":"Loaded image: img-test-ref:2\\n"}\n');
      assert.equal((await images.resolve('img-test-ref:2')).id, id);
    } finally {
      spawnSync('docker', ['rmi', 'img-test-save:1', 'img-test-ref:2'], { env: { ...process.env, DOCKER_HOST: `unix://${REF_SOCK}` } });
    }
  });

  it('prunes dangling images', async () => {
    const imp = await api('POST', '/v1.41/images/create?fromSrc=-', await busyboxTar(' (dangling)'));
    const id = JSON.parse(imp.text).status as string;
    const dangling = (await api('GET', `/v1.41/images/json?filters=${encodeURIComponent('{"dangling":["true"]}')}`)).json as ImageSummary[];
    assert.deepEqual(dangling.map((i) => [i.Id, i.RepoTags]), [[id, ['<none>:<none>']]]);
    const r = await api('POST', '/v1.41/images/prune');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.ImagesDeleted[0], { Deleted: id });
    assert.ok(r.json.SpaceReclaimed > 0);
    assert.ok(!images.has(id));
  });

  it('restarts consistent after a crash mid-import', async () => {
    const root = path.join(dir, 'root');
    await stop();
    // What a kill at various instants leaves: a half-unpacked layer and a half-written
    // blob in tmp, an orphan layer and blob (unpacked, image record never written),
    // a tag naming an image whose record never landed, a temp file of an atomic write.
    await fs.mkdir(path.join(root, 'tmp/layer-dead/diff/bin'), { recursive: true });
    await fs.writeFile(path.join(root, 'tmp/blob-dead'), 'partial');
    const orphan = 'f'.repeat(64);
    await fs.mkdir(path.join(root, 'layers', orphan, 'diff'), { recursive: true });
    await fs.writeFile(path.join(root, 'layers', orphan, 'layer.json'), JSON.stringify({ chainID: `sha256:${orphan}`, diffID: `sha256:${orphan}`, parent: null, size: 1 }));
    await fs.writeFile(path.join(root, 'blobs/sha256', orphan), 'orphan');
    await fs.mkdir(path.join(root, 'layers', 'e'.repeat(64)), { recursive: true }); // no layer.json: never completed
    const repos = JSON.parse(await fs.readFile(path.join(root, 'images/repositories.json'), 'utf8'));
    repos.Repositories['img-test-ghost'] = { 'img-test-ghost:latest': `sha256:${'d'.repeat(64)}` };
    await fs.writeFile(path.join(root, 'images/repositories.json'), JSON.stringify(repos));
    await fs.writeFile(path.join(root, 'images/db/.tmp-x.json-123'), '{');
    await start();
    assert.deepEqual(await fs.readdir(path.join(root, 'tmp')), []);
    assert.ok(!existsSync(path.join(root, 'layers', orphan)));
    assert.ok(!existsSync(path.join(root, 'layers', 'e'.repeat(64))));
    assert.ok(!existsSync(path.join(root, 'blobs/sha256', orphan)));
    assert.ok(!images.has('img-test-ghost'));
    assert.ok(!existsSync(path.join(root, 'images/db/.tmp-x.json-123')));
    assert.ok(images.has('img-test-save:1'), 'complete images survive');
    const resolved = await images.resolve('img-test-save:1');
    assert.ok(existsSync(path.join(resolved.layerDirs[0], 'bin/busybox')));
  });
});

// A real crash: the writer is a separate process, SIGKILLed at various instants of
// an import. Right after each kill (before any repair) the data root must already
// be consistent: every layer dir complete, every image record whole, every tag
// pointing at a recorded image. The restart then only sweeps tmp/.
describe('crash during import (SIGKILL)', () => {
  const daemonScript = `
    const { ImageService } = await import(${JSON.stringify(new URL('../../src/daemon/services/images.js', import.meta.url).href)});
    const { EventService } = await import(${JSON.stringify(new URL('../../src/daemon/services/events.js', import.meta.url).href)});
    const { Router } = await import(${JSON.stringify(new URL('../../src/daemon/server/router.js', import.meta.url).href)});
    const { listen } = await import(${JSON.stringify(new URL('../../src/daemon/server/listener.js', import.meta.url).href)});
    const { registerImageRoutes } = await import(${JSON.stringify(new URL('../../src/daemon/routes/images.js', import.meta.url).href)});
    const images = new ImageService({ dataRoot: process.argv[1], events: new EventService() });
    await images.init();
    const router = new Router();
    registerImageRoutes(router, images);
    await listen(router, 'unix://' + process.argv[2]);
    process.stdout.write('ready\\n');
  `;
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-crash-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function startChild(root: string, sock: string) {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--input-type=module', '-e', daemonScript, root, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`daemon exited ${code}`)));
    });
    return child;
  }

  async function assertConsistent(root: string): Promise<void> {
    const exists = (p: string) => fs.access(p).then(() => true, () => false);
    for (const name of await fs.readdir(path.join(root, 'layers'))) {
      assert.ok(await exists(path.join(root, 'layers', name, 'layer.json')), `layer ${name} is complete`);
    }
    const dbDir = path.join(root, 'images/db');
    const ids = (await fs.readdir(dbDir)).filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).map((n) => `sha256:${n.slice(0, 64)}`);
    const { chainIds } = await import('../../src/store/layer-store.js');
    for (const id of ids) {
      const raw = await fs.readFile(path.join(root, 'blobs/sha256', id.slice(7)));
      const cfg = JSON.parse(raw.toString());
      for (const chain of chainIds(cfg.rootfs.diff_ids)) {
        assert.ok(await exists(path.join(root, 'layers', chain.slice(7), 'layer.json')), `image ${id} has layer ${chain}`);
      }
    }
    const repos = JSON.parse(await fs.readFile(path.join(root, 'images/repositories.json'), 'utf8').catch(() => '{"Repositories":{}}'));
    for (const repo of Object.values(repos.Repositories) as Record<string, string>[]) {
      for (const [tag, id] of Object.entries(repo)) assert.ok(ids.includes(id), `tag ${tag} names a recorded image`);
    }
  }

  it('leaves no visible partial image at any kill point', async () => {
    // ~24 MB in 1500 files: slow enough to be killed mid-way.
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    const done = (async () => {
      for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
    })();
    const { randomBytes } = await import('node:crypto');
    for (let i = 0; i < 1500; i++) {
      await new Promise<void>((res, rej) => pack.entry({ name: `d${i % 30}/f${i}`, mode: 0o644 }, randomBytes(16384), (e) => (e ? rej(e) : res())));
    }
    pack.finalize();
    await done;
    const big = Buffer.concat(chunks);

    const root = path.join(dir, 'root');
    const sock = path.join(dir, 'crash.sock');
    const delays = [30, 120, 250, 400, 600, 900, 1300, 2000];
    for (const [n, delay] of delays.entries()) {
      const child = await startChild(root, sock);
      const req = request(sock, 'POST', `/v1.41/images/create?fromSrc=-&repo=img-test-crash&tag=${n}`, big).catch(() => undefined);
      await new Promise((r) => setTimeout(r, delay));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      await req;
      await assertConsistent(root);
    }
    // After the last kill: a clean start sweeps tmp and a full import works.
    const child = await startChild(root, sock);
    try {
      assert.deepEqual(await fs.readdir(path.join(root, 'tmp')), []);
      const r = await request(sock, 'POST', '/v1.41/images/create?fromSrc=-&repo=img-test-crash&tag=final', big);
      assert.match(r.text, /"status":"sha256:/);
      await assertConsistent(root);
      const list = (await request(sock, 'GET', '/v1.41/images/json')).json as ImageSummary[];
      assert.ok(list.some((i) => i.RepoTags?.includes('img-test-crash:final')));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
