// Image plumbing without HTTP: references, --change parsing, config bytes, chain
// ids, and ImageService's commit / multi-layer save+load / OCI-layout load.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { lgetxattr, lsetxattr, mkWhiteout } from '../../src/archive/fsops.js';
import { OPAQUE_XATTR } from '../../src/archive/extract.js';
import { EventService } from '../../src/daemon/services/events.js';
import { applyChanges } from '../../src/daemon/services/image-changes.js';
import { ImageService } from '../../src/daemon/services/images.js';
import { rfc3339Nano, serializeImageConfig } from '../../src/store/image-config.js';
import { familiarString, parseReference, withDefaultTag } from '../../src/store/image-reference.js';
import { chainIds } from '../../src/store/layer-store.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function makeTar(entries: (Partial<tar.Header> & { name: string; body?: string })[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  for (const { body, ...h } of entries) {
    await new Promise<void>((res, rej) => pack.entry({ mode: 0o644, mtime: new Date(1_600_000_000_000), ...h }, body ?? '', (e) => (e ? rej(e) : res())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('image references', () => {
  it('normalises like docker', () => {
    assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: undefined, digest: undefined });
    assert.equal(familiarString(withDefaultTag(parseReference('docker.io/library/busybox'))), 'busybox:latest');
    assert.equal(familiarString(withDefaultTag(parseReference('index.docker.io/library/busybox:1'))), 'busybox:1');
    assert.equal(familiarString(parseReference('user/repo:tag')), 'user/repo:tag');
    const local = parseReference('localhost:5000/a/b:v2');
    assert.deepEqual([local.domain, local.path, local.tag], ['localhost:5000', 'a/b', 'v2']);
    assert.equal(parseReference(`x@sha256:${'a'.repeat(64)}`).digest, `sha256:${'a'.repeat(64)}`);
  });
  it('rejects what docker rejects', () => {
    assert.throws(() => parseReference('Busybox'), { message: 'invalid reference format: repository name must be lowercase' });
    assert.throws(() => parseReference(':x'), { message: 'invalid reference format' });
    assert.throws(() => parseReference('a@sha256:1234'), { message: 'invalid reference format' });
    assert.throws(() => parseReference('a/../b'), { message: 'invalid reference format' });
  });
});

describe('--change instructions', () => {
  it('applies every instruction in JSON and shell forms', () => {
    const c = applyChanges({ Env: ['PATH=/bin'] }, [
      'CMD echo "a b"',
      'ENTRYPOINT ["/init", "--"]',
      'ENV A=1 B="two words" C=${A}x',
      'ENV D the rest',
      'ENV E=$PATH:/x',
      "LABEL a=b 'c d'=\"e f\"",
      'EXPOSE 80 8000-8001/udp',
      'VOLUME /v1 /v2',
      'WORKDIR /a',
      'WORKDIR b/$A',
      'USER 1000:1000',
      'STOPSIGNAL SIGINT',
      'ONBUILD RUN make',
    ]);
    assert.deepEqual(c.Cmd, ['/bin/sh', '-c', 'echo "a b"']);
    assert.deepEqual(c.Entrypoint, ['/init', '--']);
    assert.deepEqual(c.Env, ['PATH=/bin', 'A=1', 'B=two words', 'C=x', 'D=the rest', 'E=/bin:/x']);
    assert.deepEqual(c.Labels, { a: 'b', 'c d': 'e f' });
    assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '8000/udp': {}, '8001/udp': {} });
    assert.deepEqual(c.Volumes, { '/v1': {}, '/v2': {} });
    assert.equal(c.WorkingDir, '/a/b/1');
    assert.equal(c.User, '1000:1000');
    assert.equal(c.StopSignal, 'SIGINT');
    assert.deepEqual(c.OnBuild, ['RUN make']);
  });
  it('refuses other instructions with dockerd wording', () => {
    assert.throws(() => applyChanges({}, ['RUN x']), { message: 'run is not a valid change command' });
    assert.throws(() => applyChanges({}, ['FROM busybox']), { message: 'from is not a valid change command' });
  });
});

describe('image config bytes', () => {
  it('sorts top-level keys and writes run configs in docker field order', () => {
    const raw = serializeImageConfig({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] }, config: { Cmd: ['sh'], Env: ['A=1'] } }).toString();
    assert.equal(
      raw,
      '{"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=1"],"Cmd":["sh"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
  });
  it('timestamps as RFC3339Nano, strictly increasing', () => {
    const a = rfc3339Nano();
    const b = rfc3339Nano();
    assert.match(a, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    assert.notEqual(a, b);
  });
  it('computes chain ids', () => {
    const d1 = sha('1');
    const d2 = sha('2');
    assert.deepEqual(chainIds([d1, d2]), [d1, sha(`${d1} ${d2}`)]);
  });
});

describe('ImageService commit, multi-layer save/load, OCI layout', () => {
  let dir: string;
  let images: ImageService;
  let baseId: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-image-'));
    images = new ImageService({ dataRoot: path.join(dir, 'root'), events: new EventService() });
    await images.init();
    const base = await makeTar([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/hosts', body: 'base' },
      { name: 'var/', type: 'directory', mode: 0o755 },
      { name: 'var/cache/', type: 'directory', mode: 0o755 },
      { name: 'var/cache/old', body: 'old' },
    ]);
    baseId = await images.importTarball(Readable.from(base), { src: '-', repo: 'img-test-base', changes: ['CMD ["sh"]'] });
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('commits an overlay upper dir as a new layer with OCI whiteouts', async () => {
    const upper = path.join(dir, 'upper');
    await fs.mkdir(path.join(upper, 'etc'), { recursive: true });
    await fs.mkdir(path.join(upper, 'var/cache'), { recursive: true });
    await fs.writeFile(path.join(upper, 'etc/new'), 'new');
    await mkWhiteout(path.join(upper, 'etc/hosts'));
    await lsetxattr(path.join(upper, 'var/cache'), OPAQUE_XATTR, Buffer.from('y'));
    await fs.writeFile(path.join(upper, 'var/cache/fresh'), 'fresh');

    const id = await images.commitContainer({
      upperDir: upper,
      parentImageId: baseId,
      containerId: 'c'.repeat(64),
      containerConfig: { Cmd: ['sh', '-c', 'touch /etc/new'], Image: 'img-test-base' },
      repo: 'img-test-commit',
      tag: 'v1',
      comment: 'snap',
      author: 'me',
      changes: ['ENV X=1'],
    });
    const r = await images.resolve('img-test-commit:v1');
    assert.equal(r.id, id);
    assert.equal(r.layerDirs.length, 2);
    assert.deepEqual(r.layerDirs[0], (await images.resolve(baseId)).layerDirs[0], 'the base layer is shared, not copied');
    const top = r.layerDirs[1];
    assert.ok((await fs.lstat(path.join(top, 'etc/hosts'))).isCharacterDevice());
    assert.equal((await lgetxattr(path.join(top, 'var/cache'), OPAQUE_XATTR))?.toString(), 'y');
    assert.equal(await fs.readFile(path.join(top, 'var/cache/fresh'), 'utf8'), 'fresh');
    const inspect = images.inspect(id);
    assert.equal(inspect.Parent, baseId);
    assert.equal(inspect.Container, 'c'.repeat(64));
    assert.equal(inspect.Author, 'me');
    assert.equal(inspect.Comment, 'snap');
    assert.deepEqual(inspect.Config.Env, ['X=1']);
    assert.ok(inspect.GraphDriver.Data?.LowerDir);
    const history = images.history(id);
    assert.deepEqual(history.map((h) => [h.Id, h.CreatedBy, h.Tags]), [
      [id, 'sh -c touch /etc/new', ['img-test-commit:v1']],
      [baseId, '', ['img-test-base:latest']],
    ]);
    await assert.rejects(images.remove(baseId.slice(7, 19), true, true), {
      message: `conflict: unable to delete ${baseId.slice(7, 19)} (cannot be forced) - image has dependent child images`,
    });
  });

  it('saves a two-layer image and loads it into an empty store with the same id', async () => {
    const id = (await images.resolve('img-test-commit:v1')).id;
    const archive = await collect(images.save(['img-test-commit']));
    const other = new ImageService({ dataRoot: path.join(dir, 'other'), events: new EventService() });
    await other.init();
    const msgs: unknown[] = [];
    assert.deepEqual(await other.load(Readable.from(gzipSync(archive)), (m) => msgs.push(m)), ['img-test-commit:v1']);
    assert.deepEqual(msgs, [{ stream: 'Loaded image: img-test-commit:v1\n' }]);
    const r = await other.resolve('img-test-commit:v1');
    assert.equal(r.id, id);
    assert.ok((await fs.lstat(path.join(r.layerDirs[1], 'etc/hosts'))).isCharacterDevice());
    // loading twice is idempotent
    await other.load(Readable.from(archive), () => undefined);
    assert.equal(other.list().length, 1);
  });

  it('loads a bare OCI layout (index.json, gzip layers, no manifest.json)', async () => {
    const layer = await makeTar([{ name: 'hello', body: 'oci' }]);
    const gz = gzipSync(layer);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] }, rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(gz), size: gz.length }],
      }),
    );
    const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': 'docker.io/library/img-test-oci:1' } }] };
    const files: [string, Buffer][] = [
      ['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')],
      ['index.json', Buffer.from(JSON.stringify(index))],
      [`blobs/sha256/${sha(gz).slice(7)}`, gz],
      [`blobs/sha256/${sha(config).slice(7)}`, config],
      [`blobs/sha256/${sha(manifest).slice(7)}`, manifest],
    ];
    const pack = tar.pack();
    const out = collect(Readable.from(pack));
    for (const [name, body] of files) await new Promise<void>((res, rej) => pack.entry({ name }, body, (e) => (e ? rej(e) : res())));
    pack.finalize();
    const loaded = await images.load(Readable.from(await out), () => undefined);
    assert.deepEqual(loaded, ['img-test-oci:1']);
    const r = await images.resolve('img-test-oci:1');
    assert.equal(r.id, sha(config));
    assert.equal(await fs.readFile(path.join(r.layerDirs[0], 'hello'), 'utf8'), 'oci');
  });

  it('refuses archives whose layer does not match its diff id', async () => {
    const layer = await makeTar([{ name: 'a', body: 'a' }]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha('something else')] } }));
    const pack = tar.pack();
    const out = collect(Readable.from(pack));
    for (const [name, body] of [
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: 'c.json', RepoTags: ['img-test-bad:1'], Layers: ['l/layer.tar'] }]))],
      ['c.json', config],
      ['l/layer.tar', layer],
    ] as [string, Buffer][]) {
      await new Promise<void>((res, rej) => pack.entry({ name }, body, (e) => (e ? rej(e) : res())));
    }
    pack.finalize();
    await assert.rejects(images.load(Readable.from(await out), () => undefined), /invalid diffID/);
    assert.ok(!images.has('img-test-bad:1'));
  });

  it('does not read archive files through symlinks', async () => {
    const pack = tar.pack();
    const out = collect(Readable.from(pack));
    await new Promise<void>((res, rej) => pack.entry({ name: 'manifest.json', type: 'symlink', linkname: '/etc/passwd' }, (e) => (e ? rej(e) : res())));
    pack.finalize();
    await assert.rejects(images.load(Readable.from(await out), () => undefined));
  });
});
