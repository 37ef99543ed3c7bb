// The archives of `docker save` / `docker load`. Reading: an unpacked archive dir
// in any of the forms docker writes — manifest.json with `<id>/layer.tar` paths
// (Docker ≤ 24) or `blobs/sha256/...` paths (Docker 25+), or a bare OCI layout
// (index.json → manifests). Writing: Docker 25's form, an OCI layout plus
// manifest.json and repositories, streamed straight from the content store.
import { constants, promises as fs, type ReadStream } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { digestHex, sha256 } from './digest.js';

/** One image found in an archive: paths relative to the archive root. */
export interface ArchiveImage {
  config: string;
  layers: string[];
  repoTags: string[];
}

interface ManifestItem {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

/** Reads a regular file inside `root` without following symlinks anywhere on the way (the archive is untrusted). */
export async function openInside(root: string, rel: string): Promise<fs.FileHandle> {
  const clean = path.posix.normalize('/' + rel).slice(1);
  if (clean === '' || rel.split('/').includes('..')) throw new Error(`invalid archive path ${rel}`);
  let current = root;
  const parts = clean.split('/');
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const st = await fs.lstat(current);
    if (!st.isDirectory()) throw new Error(`invalid archive path ${rel}`);
  }
  const handle = await fs.open(path.join(root, clean), constants.O_RDONLY | constants.O_NOFOLLOW);
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new Error(`invalid archive path ${rel}`);
  }
  return handle;
}

export async function readInside(root: string, rel: string): Promise<Buffer> {
  const handle = await openInside(root, rel);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function streamInside(root: string, rel: string): Promise<ReadStream> {
  return (await openInside(root, rel)).createReadStream();
}

const exists = (root: string, rel: string) =>
  fs.lstat(path.join(root, rel)).then(
    () => true,
    () => false,
  );

/** The images an unpacked archive holds. */
export async function readArchive(root: string): Promise<ArchiveImage[]> {
  if (await exists(root, 'manifest.json')) {
    const items = JSON.parse((await readInside(root, 'manifest.json')).toString('utf8')) as ManifestItem[];
    if (!Array.isArray(items)) throw new Error('invalid manifest.json');
    return items.map((m) => ({ config: m.Config, layers: m.Layers ?? [], repoTags: m.RepoTags ?? [] }));
  }
  if (await exists(root, 'index.json')) return readOciLayout(root);
  throw new Error('open manifest.json: no such file or directory');
}

const blobPath = (digest: string) => {
  const [alg, hex] = digest.split(':');
  if (!/^[a-z0-9]+$/.test(alg ?? '') || !/^[0-9a-f]+$/.test(hex ?? '')) throw new Error(`invalid digest ${digest}`);
  return `blobs/${alg}/${hex}`;
};

async function readOciLayout(root: string): Promise<ArchiveImage[]> {
  const out: ArchiveImage[] = [];
  const readJson = async <T>(rel: string) => JSON.parse((await readInside(root, rel)).toString('utf8')) as T;
  const visit = async (desc: Descriptor, name: string | undefined, depth: number): Promise<void> => {
    if (depth > 4) throw new Error('OCI index nests too deeply');
    const doc = await readJson<{ mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }>(blobPath(desc.digest));
    const type = doc.mediaType ?? desc.mediaType ?? '';
    if (INDEX_TYPES.includes(type) || doc.manifests) {
      // A multi-platform index: the linux/amd64 image, else the first one.
      const manifests = doc.manifests ?? [];
      const pick = manifests.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ?? manifests[0];
      if (pick) await visit(pick, name, depth + 1);
      return;
    }
    if (!MANIFEST_TYPES.includes(type) && !doc.config) throw new Error(`unsupported media type ${type}`);
    const existing = out.find((i) => i.config === blobPath(doc.config!.digest));
    if (existing) {
      if (name && !existing.repoTags.includes(name)) existing.repoTags.push(name);
      return;
    }
    out.push({ config: blobPath(doc.config!.digest), layers: (doc.layers ?? []).map((l) => blobPath(l.digest)), repoTags: name ? [name] : [] });
  };
  const index = await readJson<{ manifests?: Descriptor[] }>('index.json');
  for (const desc of index.manifests ?? []) {
    const annotations = desc.annotations ?? {};
    // containerd's annotation has the full name; the OCI one may be just a tag.
    const name = annotations['io.containerd.image.name'] ?? (annotations['org.opencontainers.image.ref.name']?.includes(':') ? annotations['org.opencontainers.image.ref.name'] : undefined);
    await visit(desc, name, 0);
  }
  return out;
}

/** What `save` writes for one image. */
export interface SaveImage {
  id: string;
  config: Buffer;
  diffIDs: string[];
  created?: Date;
  /** Familiar "name:tag" strings and their full forms, for manifest.json and index.json. */
  tags: { familiar: string; name: string; tag: string; full: string }[];
}

export interface BlobSource {
  size(digest: string): Promise<number>;
  readStream(digest: string): Readable;
}

/** Streams a Docker 25-style save archive of the images. */
export function writeSaveArchive(images: SaveImage[], blobs: BlobSource): Readable {
  const pack = tar.pack();
  produce(pack, images, blobs).then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  // tar-stream's streams are streamx ones: hand out a Node stream.
  return Readable.from(pack);
}

async function produce(pack: tar.Pack, images: SaveImage[], blobs: BlobSource): Promise<void> {
  const epoch = new Date(0);
  const add = (header: Partial<tar.Header> & { name: string }, body: Buffer = Buffer.alloc(0)) =>
    new Promise<void>((resolve, reject) => pack.entry({ mode: 0o644, mtime: epoch, ...header }, body, (err) => (err ? reject(err) : resolve())));
  const addBlobStream = async (digest: string, mtime: Date) => {
    const size = await blobs.size(digest);
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name: `blobs/sha256/${digestHex(digest)}`, mode: 0o644, size, mtime }, (err) => (err ? reject(err) : resolve()));
      pipeline(blobs.readStream(digest), entry).catch(reject);
    });
  };

  await add({ name: 'blobs/', type: 'directory', mode: 0o755 });
  await add({ name: 'blobs/sha256/', type: 'directory', mode: 0o755 });
  const written = new Set<string>();
  const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const indexEntries: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};

  for (const image of images) {
    const mtime = image.created ?? epoch;
    for (const diffID of image.diffIDs) {
      if (written.has(diffID)) continue;
      written.add(diffID);
      await addBlobStream(diffID, mtime);
    }
    if (!written.has(image.id)) {
      written.add(image.id);
      await add({ name: `blobs/sha256/${digestHex(image.id)}`, mtime }, image.config);
    }
    const layerDescs: Descriptor[] = [];
    for (const diffID of image.diffIDs) {
      layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: diffID, size: await blobs.size(diffID) });
    }
    const ociManifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: image.id, size: image.config.length },
        layers: layerDescs,
      }),
    );
    const manifestDigest = sha256(ociManifest);
    if (!written.has(manifestDigest)) {
      written.add(manifestDigest);
      await add({ name: `blobs/sha256/${digestHex(manifestDigest)}` }, ociManifest);
    }
    for (const t of image.tags) {
      indexEntries.push({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: ociManifest.length,
        annotations: { 'io.containerd.image.name': t.full, 'org.opencontainers.image.ref.name': t.tag },
      });
      (repositories[t.name] ??= {})[t.tag] = digestHex(image.diffIDs[image.diffIDs.length - 1] ?? image.id);
    }
    if (image.tags.length === 0) indexEntries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: ociManifest.length });
    manifest.push({
      Config: `blobs/sha256/${digestHex(image.id)}`,
      RepoTags: image.tags.length ? image.tags.map((t) => t.familiar) : null,
      Layers: image.diffIDs.map((d) => `blobs/sha256/${digestHex(d)}`),
    });
  }

  await add({ name: 'index.json' }, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: indexEntries }) + '\n'));
  await add({ name: 'manifest.json' }, Buffer.from(JSON.stringify(manifest) + '\n'));
  await add({ name: 'oci-layout' }, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  if (Object.keys(repositories).length) await add({ name: 'repositories' }, Buffer.from(JSON.stringify(repositories) + '\n'));
}
