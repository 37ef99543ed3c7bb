// The image half of the engine: resolving names, import/load/save/commit, tags,
// removal and pruning, over the content, layer, image and tag stores. Writes go in
// an order that keeps the data root consistent at every instant: blobs, then
// layers, then the image record, then tags; removal runs the other way round.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type {
  ContainerConfig,
  HistoryResponseItem,
  ImageConfigFile,
  ImageInspect,
  ImageRunConfig,
  ImageSummary,
} from '../../api/types.js';
import { decompress } from '../../archive/compression.js';
import { readArchive, readInside, streamInside, writeSaveArchive, type SaveImage } from '../../archive/docker-archive.js';
import { extractTar } from '../../archive/extract.js';
import { packDirectory } from '../../archive/pack.js';
import { ApiError, badParameter, conflict, errorMessage, noSuchImage, serverError } from '../../common/errors.js';
import { getWithStatusError } from '../../common/http-get.js';
import { shortId } from '../../common/ids.js';
import { log } from '../../common/log.js';
import { ContentStore } from '../../store/content-store.js';
import { DOCKER_VERSION, normalizeRunConfig, parseTime, rfc3339Nano, serializeImageConfig } from '../../store/image-config.js';
import {
  familiarName,
  familiarString,
  fullString,
  parseReference,
  TAG_REGEXP,
  withDefaultTag,
  type ImageRef,
} from '../../store/image-reference.js';
import { ImageStore, type ImageRecord } from '../../store/image-store.js';
import { isSingleReference, matchLabels, matchReference, parseUntil } from '../../store/image-filters.js';
import { TagStore } from '../../store/image-tags.js';
import { chainIds, LayerStore } from '../../store/layer-store.js';
import type { EventService } from './events.js';
import { applyChanges } from './image-changes.js';

export interface ResolvedImage {
  id: string;
  config: ImageConfigFile;
  repoTags: string[];
  /** Absolute diff dirs, lowest layer first. */
  layerDirs: string[];
}

/** Who uses an image: a container id (a stopped container), or the id and whether it runs. */
export type UsageCheck = (imageId: string) => string | { id: string; running: boolean } | undefined;

/** Fetches an image from a registry; until berth has a registry client, pulls fail as dockerd's do offline. */
export type Puller = (ref: ImageRef, progress: Progress) => Promise<void>;

export interface DeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

export interface ImportOptions {
  repo?: string;
  tag?: string;
  message?: string;
  changes?: string[];
  /** "-" for the request body, else the URL it came from (for the comment). */
  src: string;
}

/** A progress message sink: docker's JSON stream lines. */
export type Progress = (msg: Record<string, unknown>) => void;

const ZERO_TIME = '0001-01-01T00:00:00Z';

export class ImageService {
  readonly dataRoot: string;
  private readonly tmpDir: string;
  private readonly content: ContentStore;
  private readonly layers: LayerStore;
  private readonly images: ImageStore;
  private readonly tags: TagStore;
  private readonly events: EventService;
  private usage: UsageCheck = () => undefined;
  private puller: Puller = defaultPuller;
  /** Blobs and layers an operation in flight has written but no image names yet: GC leaves them alone. */
  private readonly pinned = new Map<string, number>();
  /** Operations in flight: a blob is stored before its digest is known (and pinned), so blob GC waits for quiet. */
  private active = 0;
  /** Serialises the steps that change which images exist, so GC never sees half a change. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(opts: { dataRoot: string; events: EventService }) {
    this.dataRoot = path.resolve(opts.dataRoot);
    this.events = opts.events;
    this.tmpDir = path.join(this.dataRoot, 'tmp');
    this.content = new ContentStore(this.dataRoot, this.tmpDir);
    this.layers = new LayerStore(this.dataRoot, this.content, this.tmpDir);
    const imagesDir = path.join(this.dataRoot, 'images');
    this.images = new ImageStore(imagesDir, this.content);
    this.tags = new TagStore(imagesDir);
  }

  /** Loads the stores and repairs what a crash may have left: temp files, dangling tags, unreferenced layers and blobs. */
  async init(): Promise<void> {
    await fs.mkdir(this.dataRoot, { recursive: true, mode: 0o711 });
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(path.join(this.dataRoot, 'images'), { recursive: true, mode: 0o700 });
    await this.content.init();
    await this.layers.init();
    await this.images.init((image) => image.chainIDs.every((c) => this.layers.get(c) !== undefined));
    await this.tags.load();
    await this.tags.retain((id) => this.images.get(id) !== undefined);
    await this.collectGarbage();
  }

  setUsageCheck(fn: UsageCheck): void {
    this.usage = fn;
  }

  setPuller(fn: Puller): void {
    this.puller = fn;
  }

  // ---- lookups ----

  /** The image a reference names: name[:tag], name@digest, full or short id. */
  private lookup(ref: string): ImageRecord {
    if (/^sha256:[0-9a-f]{64}$/.test(ref)) {
      const image = this.images.get(ref);
      if (image) return image;
      throw noSuchImage(ref);
    }
    let parsed: ImageRef | undefined;
    try {
      parsed = parseReference(ref);
    } catch (err) {
      // "sha256:abc" prefixes and ids are not references.
      if (!/^(sha256:)?[0-9a-f]{1,64}$/.test(ref)) throw err;
    }
    if (parsed) {
      const id = this.tags.get(parsed);
      if (id && this.images.get(id)) return this.images.get(id)!;
    }
    if (/^(sha256:)?[0-9a-f]{1,64}$/.test(ref)) {
      const matches = this.images.search(ref);
      if (matches.length === 1) return this.images.get(matches[0])!;
    }
    throw noSuchImage(parsed ? familiarString(withDefaultTag(parsed)) : ref);
  }

  async resolve(ref: string): Promise<ResolvedImage> {
    const image = this.lookup(ref);
    return {
      id: image.id,
      config: image.config,
      repoTags: this.repoTags(image.id),
      layerDirs: image.chainIDs.map((c) => this.layers.diffDir(c)),
    };
  }

  /** Whether an image exists (for callers that must not throw). */
  has(ref: string): boolean {
    try {
      this.lookup(ref);
      return true;
    } catch {
      return false;
    }
  }

  private repoTags(id: string): string[] {
    return this.tags
      .referencesOf(id)
      .filter((r) => r.tag)
      .map(familiarString);
  }

  private size(image: ImageRecord): number {
    return image.chainIDs.reduce((sum, c) => sum + (this.layers.get(c)?.size ?? 0), 0);
  }

  // ---- queries ----

  list(opts: { all?: boolean; filters?: Map<string, string[]> } = {}): ImageSummary[] {
    const filters = opts.filters ?? new Map<string, string[]>();
    for (const key of filters.keys()) {
      if (!['dangling', 'label', 'before', 'since', 'reference'].includes(key)) throw badParameter(`Invalid filter '${key}'`);
    }
    const dangling = filters.get('dangling');
    let danglingOnly = false;
    if (dangling) {
      for (const v of dangling) {
        if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw badParameter(`Invalid filter 'dangling=[${v}]'`);
      }
      danglingOnly = ['true', '1'].includes(dangling[0].toLowerCase());
    }
    const timeOf = (ref: string) => parseTime(this.lookup(ref).config.created).nanos;
    const before = filters.get('before')?.map(timeOf);
    const since = filters.get('since')?.map(timeOf);
    const labels = filters.get('label') ?? [];
    const patterns = filters.get('reference') ?? [];

    const out: (ImageSummary & { nanos: bigint })[] = [];
    for (const image of this.images.list()) {
      const created = parseTime(image.config.created);
      if (before && !before.every((t) => created.nanos < t)) continue;
      if (since && !since.every((t) => created.nanos > t)) continue;
      if (!matchLabels(image.config.config?.Labels ?? {}, labels)) continue;
      let refs = this.tags.referencesOf(image.id);
      if (patterns.length) refs = refs.filter((r) => patterns.some((p) => matchReference(p, r)));
      let repoTags = refs.filter((r) => r.tag).map(familiarString);
      let repoDigests = refs.filter((r) => r.digest).map(familiarString);
      if (repoTags.length === 0 && repoDigests.length === 0) {
        if (!opts.all && this.images.children(image.id).length > 0) continue; // intermediate image
        if (dangling && !danglingOnly) continue;
        if (patterns.length) continue;
        repoTags = ['<none>:<none>'];
        repoDigests = ['<none>@<none>'];
      } else if (danglingOnly) continue;
      const size = this.size(image);
      out.push({
        Containers: -1,
        Created: created.unix,
        Id: image.id,
        Labels: image.config.config?.Labels ?? null,
        ParentId: image.parent ?? '',
        RepoDigests: repoDigests.length ? repoDigests : null,
        RepoTags: repoTags.length ? repoTags : null,
        SharedSize: -1,
        Size: size,
        VirtualSize: size,
        nanos: created.nanos,
      });
    }
    out.sort((a, b) => (a.nanos < b.nanos ? 1 : a.nanos > b.nanos ? -1 : 0));
    return out.map(({ nanos: _nanos, ...summary }) => summary);
  }

  inspect(ref: string): ImageInspect {
    const image = this.lookup(ref);
    const cfg = image.config;
    const size = this.size(image);
    const dirs = image.chainIDs.map((c) => this.layers.diffDir(c));
    const top = dirs.length ? path.dirname(dirs[dirs.length - 1]) : undefined;
    const data: Record<string, string> | null = top
      ? {
          ...(dirs.length > 1 ? { LowerDir: dirs.slice(0, -1).reverse().join(':') } : {}),
          MergedDir: path.join(top, 'merged'),
          UpperDir: dirs[dirs.length - 1],
          WorkDir: path.join(top, 'work'),
        }
      : null;
    const result: ImageInspect = {
      Id: image.id,
      RepoTags: this.repoTags(image.id),
      RepoDigests: this.tags.referencesOf(image.id).filter((r) => r.digest).map(familiarString),
      Parent: image.parent ?? '',
      Comment: cfg.comment ?? '',
      Created: cfg.created ?? ZERO_TIME,
      Container: cfg.container ?? '',
      ContainerConfig: normalizeRunConfig(cfg.container_config),
      DockerVersion: cfg.docker_version ?? '',
      Author: cfg.author ?? '',
      Config: normalizeRunConfig(cfg.config),
      Architecture: cfg.architecture,
      ...(cfg.variant ? { Variant: cfg.variant } : {}),
      Os: cfg.os,
      Size: size,
      VirtualSize: size,
      GraphDriver: { Data: data, Name: 'overlay2' },
      RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? [] },
      Metadata: { LastTagTime: image.lastTagTime ?? ZERO_TIME },
    };
    return result;
  }

  history(ref: string): HistoryResponseItem[] {
    const image = this.lookup(ref);
    const items: HistoryResponseItem[] = [];
    let layer = 0;
    for (const h of image.config.history ?? []) {
      let size = 0;
      if (!h.empty_layer) {
        const chain = image.chainIDs[layer++];
        size = (chain && this.layers.get(chain)?.size) || 0;
      }
      items.unshift({ Comment: h.comment ?? '', Created: parseTime(h.created).unix, CreatedBy: h.created_by ?? '', Id: '<missing>', Size: size, Tags: null });
    }
    // The newest entries belong to this image, older ones to its parents as far as we know them.
    let current: ImageRecord | undefined = image;
    for (const item of items) {
      if (!current) break;
      item.Id = current.id;
      const tags = this.repoTags(current.id);
      item.Tags = tags.length ? tags : null;
      current = current.parent ? this.images.get(current.parent) : undefined;
    }
    return items;
  }

  // ---- tags ----

  async tag(source: string, repo: string, tag: string): Promise<void> {
    const image = this.lookup(source);
    let ref: ImageRef;
    try {
      ref = parseReference(repo);
    } catch (err) {
      throw new ApiError(500, errorMessage(err)); // dockerd 20.10 answers these with 500
    }
    if (ref.digest) throw new ApiError(500, 'refusing to create a tag with a digest reference');
    if (tag) {
      if (!TAG_REGEXP.test(tag)) throw new ApiError(500, 'invalid tag format');
      ref = { ...ref, tag };
    }
    ref = withDefaultTag(ref);
    await this.addTag(ref, image.id);
  }

  private async addTag(ref: ImageRef, id: string): Promise<string | undefined> {
    const old = await this.exclusive(() => this.tags.set(ref, id));
    await this.images.update(id, { lastTagTime: rfc3339Nano() });
    this.emit('tag', id, familiarString(ref));
    return old;
  }

  // ---- removal ----

  /** `docker rmi`, following dockerd's rules on what may go and the conflicts it reports. */
  async remove(ref: string, force: boolean, prune: boolean): Promise<DeleteResponseItem[]> {
    return this.exclusive(async () => {
      const image = this.lookup(ref);
      const records: DeleteResponseItem[] = [];
      const isIdRef = isIdPrefix(image.id, ref);
      let quiet = false;
      if (!isIdRef) {
        const parsed = withDefaultTag(parseReference(ref));
        const refs = this.tags.referencesOf(image.id);
        if (!force && isSingleReference(refs)) {
          const user = this.user(image.id);
          if (user) {
            throw conflict(
              `conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(image.id)}`,
            );
          }
        }
        await this.tags.delete(parsed);
        this.emit('untag', image.id, image.id);
        records.push({ Untagged: familiarString(parsed) });
        if (this.tags.referencesOf(image.id).length > 0) return records;
        quiet = true;
      } else if (isSingleReference(this.tags.referencesOf(image.id))) {
        const c = this.deleteConflict(image, { hard: true, soft: !force, references: false });
        if (c) throw conflict(c);
        await this.untagAll(image.id, records);
      }
      await this.deleteImage(image, records, force, prune, quiet);
      return records;
    });
  }

  private user(imageId: string): { id: string; running: boolean } | undefined {
    const u = this.usage(imageId);
    if (u === undefined) return undefined;
    return typeof u === 'string' ? { id: u, running: false } : u;
  }

  /** dockerd's conflict check: hard (child images, running containers), soft (references, stopped containers). */
  private deleteConflict(image: ImageRecord, mask: { hard: boolean; soft: boolean; references: boolean }): string | undefined {
    const msg = (hard: boolean, text: string) => `conflict: unable to delete ${shortId(image.id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${text}`;
    if (mask.hard && this.images.children(image.id).length > 0) return msg(true, 'image has dependent child images');
    const user = this.user(image.id);
    if (mask.hard && user?.running) return msg(true, `image is being used by running container ${shortId(user.id)}`);
    if (mask.soft && mask.references && this.tags.referencesOf(image.id).length > 0) return msg(false, 'image is referenced in multiple repositories');
    if (mask.soft && user && !user.running) return msg(false, `image is being used by stopped container ${shortId(user.id)}`);
    return undefined;
  }

  private async untagAll(id: string, records: DeleteResponseItem[]): Promise<void> {
    for (const r of this.tags.referencesOf(id)) {
      await this.tags.delete(r);
      this.emit('untag', id, id);
      records.push({ Untagged: familiarString(r) });
    }
  }

  private async deleteImage(image: ImageRecord, records: DeleteResponseItem[], force: boolean, prune: boolean, quiet: boolean): Promise<void> {
    const c = this.deleteConflict(image, { hard: true, soft: !force, references: true });
    if (c) {
      const dangling = this.tags.referencesOf(image.id).length === 0 && this.images.children(image.id).length === 0;
      if (quiet && (!dangling || this.user(image.id))) return;
      throw conflict(c);
    }
    // A forced removal of an image a container still uses only untags it: the
    // container's root file system is made of this image's layer dirs.
    const keep = this.user(image.id) !== undefined;
    await this.untagAll(image.id, records);
    if (keep) return;
    await this.images.delete(image.id);
    this.emit('delete', image.id, image.id, image.config.config?.Labels ?? {});
    records.push({ Deleted: image.id });
    const { layers } = await this.collectGarbage();
    for (const chainID of layers) records.push({ Deleted: chainID });
    if (prune && image.parent) {
      const parent = this.images.get(image.parent);
      if (parent) await this.deleteImage(parent, records, false, true, true);
    }
  }

  /** Removes layers and blobs no image needs (and no operation in flight has pinned); returns the removed layers, top first. */
  private async collectGarbage(): Promise<{ layers: string[]; reclaimed: number }> {
    const usedChains = new Set<string>();
    const usedBlobs = new Set<string>();
    for (const image of this.images.list()) {
      usedBlobs.add(image.id);
      image.chainIDs.forEach((c) => usedChains.add(c));
      image.config.rootfs?.diff_ids?.forEach((d) => usedBlobs.add(d));
    }
    const removed: string[] = [];
    let reclaimed = 0;
    // Children before parents, so that a parent is never gone while a child exists.
    const doomed = this.layers.list().filter((l) => !usedChains.has(l.chainID) && !this.pinned.has(l.chainID));
    const depth = (chainID: string): number => {
      let d = 0;
      for (let l = this.layers.get(chainID); l?.parent; l = this.layers.get(l.parent)) d++;
      return d;
    };
    doomed.sort((a, b) => depth(b.chainID) - depth(a.chainID));
    for (const layer of doomed) {
      await this.layers.delete(layer.chainID);
      removed.push(layer.chainID);
      reclaimed += layer.size;
    }
    if (this.active === 0) {
      for (const digest of await this.content.list()) {
        if (!usedBlobs.has(digest) && !this.pinned.has(digest)) await this.content.delete(digest);
      }
    }
    return { layers: removed, reclaimed };
  }

  async prune(filters: Map<string, string[]>): Promise<{ ImagesDeleted: DeleteResponseItem[] | null; SpaceReclaimed: number }> {
    for (const key of filters.keys()) {
      if (!['dangling', 'label', 'label!', 'until'].includes(key)) throw badParameter(`Invalid filter '${key}'`);
    }
    const danglingOnly = !['false', '0'].includes((filters.get('dangling')?.[0] ?? 'true').toLowerCase());
    const until = filters.get('until')?.map(parseUntil);
    const labels = filters.get('label') ?? [];
    const notLabels = filters.get('label!') ?? [];
    const deleted: DeleteResponseItem[] = [];
    let reclaimed = 0;
    for (const image of this.images.list()) {
      if (!this.images.get(image.id)) continue; // removed as a parent of an earlier one
      if (this.images.children(image.id).length > 0) continue;
      const refs = this.tags.referencesOf(image.id);
      if (danglingOnly && refs.length > 0) continue;
      if (this.user(image.id)) continue;
      const created = parseTime(image.config.created).unix;
      if (until && !until.every((t) => created < t)) continue;
      const imgLabels = image.config.config?.Labels ?? {};
      if (!matchLabels(imgLabels, labels)) continue;
      if (notLabels.length && notLabels.some((l) => matchLabels(imgLabels, [l]))) continue;
      const before = this.layers.list();
      try {
        const targets = refs.length ? refs.map(fullString) : [image.id];
        for (const target of targets) deleted.push(...(await this.remove(target, false, true)));
      } catch (err) {
        if (!(err instanceof ApiError && err.statusCode === 409)) throw err;
      }
      for (const l of before) if (!this.layers.get(l.chainID)) reclaimed += l.size;
    }
    this.events.emit('image', 'prune', '', { reclaimed: String(reclaimed) });
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  // ---- creating images ----

  /** `docker import`: one layer from a (possibly compressed) tarball, plus a config. Returns the image id. */
  async importTarball(input: Readable, opts: ImportOptions): Promise<string> {
    const ref = newImageReference(opts.repo, opts.tag);
    const config = applyChanges({}, opts.changes ?? []);
    return this.withPins(async (pin) => {
      const { digest: diffID } = await this.storeLayerBlob(input, pin);
      await this.createLayerChain([diffID], pin);
      const created = rfc3339Nano();
      const comment = opts.message || `Imported from ${opts.src}`;
      const cfg: ImageConfigFile = {
        architecture: 'amd64',
        comment,
        config,
        container_config: {},
        created,
        docker_version: DOCKER_VERSION,
        history: [{ created, comment }],
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [diffID] },
      };
      const image = await this.exclusive(() => this.images.create(serializeImageConfig(cfg)));
      if (ref) await this.addTag(ref, image.id);
      this.emit('import', image.id, image.id);
      return image.id;
    });
  }

  /** Decompresses and stores a layer tar in the content store, pinned against GC. */
  private async storeLayerBlob(input: Readable, pin: (key: string) => void): Promise<{ digest: string; size: number }> {
    let stream: Readable;
    try {
      stream = await decompress(input);
    } catch (err) {
      throw serverError(`Error processing tar file: ${errorMessage(err)}`);
    }
    const result = await this.content.putStream(stream);
    pin(result.digest);
    return result;
  }

  /** Unpacks the layers of a diffID list (their blobs must be stored), pinned; returns chain ids. */
  private async createLayerChain(diffIDs: string[], pin: (key: string) => void): Promise<string[]> {
    const chains = chainIds(diffIDs);
    let parent: string | null = null;
    for (let i = 0; i < diffIDs.length; i++) {
      pin(chains[i]);
      try {
        await this.layers.create(diffIDs[i], parent);
      } catch (err) {
        throw serverError(`Error processing tar file(exit status 1): ${errorMessage(err)}`);
      }
      parent = chains[i];
    }
    return chains;
  }

  /** `POST /images/create?fromSrc=<url>`: downloads then imports, with docker's progress messages. */
  async importFromUrl(url: string, opts: Omit<ImportOptions, 'src'>, progress: Progress): Promise<string> {
    let u: URL;
    try {
      u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
    } catch {
      throw badParameter(`invalid URL: ${url}`);
    }
    const response = await getWithStatusError(u.href);
    progress({ status: `Downloading from ${u.href}` });
    const total = Number(response.headers.get('content-length') ?? -1);
    let current = 0;
    let lastReport = 0;
    const body = response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
    body.on('data', (chunk: Buffer) => {
      current += chunk.length;
      if (current - lastReport >= 1 << 20 || current === total) {
        lastReport = current;
        progress({ status: 'Importing', progressDetail: { current, total }, progress: progressBar(current, total) });
      }
    });
    const id = await this.importTarball(body, { ...opts, src: u.href });
    return id;
  }

  /** `POST /images/create?fromImage=`: a registry pull. */
  async pull(image: string, tag: string | undefined, progress: Progress): Promise<void> {
    let ref = parseReference(image);
    if (tag) {
      if (/^sha256:[0-9a-f]{64}$/.test(tag)) ref = { ...ref, digest: tag };
      else if (TAG_REGEXP.test(tag)) ref = { ...ref, tag };
      else throw badParameter('invalid tag format');
    }
    await this.puller(withDefaultTag(ref), progress);
  }

  /** `docker load`: every image of a save archive. Messages go to `progress` as docker's stream lines. */
  async load(input: Readable, progress: Progress): Promise<string[]> {
    const dir = path.join(this.tmpDir, `load-${randomBytes(8).toString('hex')}`);
    await fs.mkdir(dir, { mode: 0o700 });
    try {
      await extractTar(await decompress(input), dir, { ownership: false, whiteouts: 'keep' });
      const found = await readArchive(dir);
      if (found.length === 0) throw badParameter('no images found in the archive');
      const loaded: string[] = [];
      for (const item of found) {
        const raw = await readInside(dir, item.config);
        let cfg: ImageConfigFile;
        try {
          cfg = JSON.parse(raw.toString('utf8')) as ImageConfigFile;
        } catch {
          throw badParameter(`invalid image config ${item.config}`);
        }
        const diffIDs = cfg.rootfs?.diff_ids ?? [];
        if (diffIDs.length !== item.layers.length) throw badParameter(`invalid manifest, layers length mismatch: expected ${diffIDs.length}, got ${item.layers.length}`);
        const id = await this.withPins(async (pin) => {
          for (let i = 0; i < diffIDs.length; i++) {
            if (!(await this.content.has(diffIDs[i]))) {
              const { digest } = await this.storeLayerBlob(await streamInside(dir, item.layers[i]), pin);
              if (digest !== diffIDs[i]) throw badParameter(`invalid diffID for layer ${i}: expected "${diffIDs[i]}", got "${digest}"`);
            }
            pin(diffIDs[i]);
          }
          await this.createLayerChain(diffIDs, pin);
          const image = await this.exclusive(() => this.images.create(raw));
          return image.id;
        });
        for (const name of item.repoTags) {
          const ref = withDefaultTag(parseReference(name));
          const old = this.tags.get(ref);
          if (old && old !== id) {
            progress({ stream: `The image ${familiarString(ref)} already exists, renaming the old one with ID ${old} to empty string\n` });
          }
          await this.exclusive(() => this.tags.set(ref, id));
          await this.images.update(id, { lastTagTime: rfc3339Nano() });
          progress({ stream: `Loaded image: ${familiarString(ref)}\n` });
          loaded.push(familiarString(ref));
        }
        if (item.repoTags.length === 0) {
          progress({ stream: `Loaded image ID: ${id}\n` });
          loaded.push(id);
        }
        this.emit('load', id, id);
      }
      return loaded;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** `docker save`: resolves the names as dockerd does (a bare repository name means all its tags). */
  save(names: string[]): Readable {
    const chosen = new Map<string, SaveImage>();
    const add = (image: ImageRecord, ref?: ImageRef) => {
      let entry = chosen.get(image.id);
      if (!entry) {
        entry = { id: image.id, config: image.raw, diffIDs: image.config.rootfs?.diff_ids ?? [], created: image.config.created ? new Date(image.config.created) : undefined, tags: [] };
        chosen.set(image.id, entry);
      }
      if (ref?.tag && !entry.tags.some((t) => t.familiar === familiarString(ref))) {
        entry.tags.push({ familiar: familiarString(ref), name: familiarName(ref), tag: ref.tag, full: fullString(ref) });
      }
    };
    for (const name of names) {
      let parsed: ImageRef | undefined;
      try {
        parsed = parseReference(name);
      } catch {
        parsed = undefined;
      }
      if (parsed && !parsed.tag && !parsed.digest) {
        const tagged = this.tags.all().filter(([r]) => r.tag && familiarName(r) === familiarName(parsed!));
        if (tagged.length) {
          for (const [r, id] of tagged) add(this.images.get(id)!, r);
          continue;
        }
        const matches = /^(sha256:)?[0-9a-f]{1,64}$/.test(name) ? this.images.search(name) : [];
        if (matches.length !== 1) throw noSuchImage(name);
        add(this.images.get(matches[0])!);
        continue;
      }
      const image = this.lookup(name);
      add(image, parsed && !parsed.digest && !isIdPrefix(image.id, name) ? parsed : undefined);
    }
    for (const image of chosen.values()) {
      if (image.diffIDs.length === 0) throw serverError('empty export - not implemented');
    }
    for (const id of chosen.keys()) this.emit('save', id, id);
    return writeSaveArchive([...chosen.values()], { size: (d) => this.content.size(d), readStream: (d) => this.content.readStream(d) });
  }

  /** `docker commit`: the container's overlay upper dir becomes a new layer on its image. */
  async commitContainer(opts: {
    upperDir: string;
    parentImageId: string;
    containerId: string;
    containerConfig: ContainerConfig;
    repo?: string;
    tag?: string;
    comment?: string;
    author?: string;
    changes?: string[];
  }): Promise<string> {
    const ref = newImageReference(opts.repo, opts.tag);
    const id = await this.createChildImage({
      parentId: opts.parentImageId,
      layerDir: opts.upperDir,
      config: applyChanges(opts.containerConfig, opts.changes ?? []),
      containerConfig: opts.containerConfig,
      container: opts.containerId,
      createdBy: [...(opts.containerConfig.Entrypoint ?? []), ...(opts.containerConfig.Cmd ?? [])].join(' '),
      comment: opts.comment,
      author: opts.author,
    });
    if (ref) await this.addTag(ref, id);
    return id;
  }

  /**
   * An image one step above `parentId` (none: FROM scratch): with a layer packed
   * from `layerDir` (an overlay upper dir or a staged copy), or with no layer at all
   * (a metadata-only build step, or as in dockerd a `layerDir` with nothing in it: its
   * history entry says `empty_layer`).
   */
  async createChildImage(opts: {
    parentId?: string;
    layerDir?: string;
    config: ImageRunConfig;
    containerConfig: ContainerConfig;
    container?: string;
    createdBy: string;
    comment?: string;
    author?: string;
  }): Promise<string> {
    const parent = opts.parentId ? this.images.get(opts.parentId) ?? this.lookup(opts.parentId) : undefined;
    return this.withPins(async (pin) => {
      const diffIDs = [...(parent?.config.rootfs?.diff_ids ?? [])];
      const layerDir = opts.layerDir !== undefined && (await fs.readdir(opts.layerDir)).length > 0 ? opts.layerDir : undefined;
      if (layerDir) {
        const { digest } = await this.storeLayerBlob(packDirectory(layerDir, { whiteouts: 'oci' }), pin);
        diffIDs.push(digest);
        await this.createLayerChain(diffIDs, pin);
      }
      const created = rfc3339Nano();
      const cfg: ImageConfigFile = {
        ...(parent?.config.variant ? { variant: parent.config.variant } : {}),
        architecture: parent?.config.architecture ?? 'amd64',
        author: opts.author || undefined,
        comment: opts.comment || undefined,
        config: opts.config,
        container: opts.container,
        container_config: opts.containerConfig,
        created,
        docker_version: DOCKER_VERSION,
        history: [
          ...(parent?.config.history ?? []),
          {
            created,
            ...(opts.author ? { author: opts.author } : {}),
            created_by: opts.createdBy,
            ...(opts.comment ? { comment: opts.comment } : {}),
            ...(layerDir ? {} : { empty_layer: true }),
          },
        ],
        os: parent?.config.os ?? 'linux',
        rootfs: { type: 'layers', diff_ids: diffIDs },
      };
      const image = await this.exclusive(() => this.images.create(serializeImageConfig(cfg), parent ? { parent: parent.id } : {}));
      return image.id;
    });
  }

  /**
   * The build cache: an image made from `parentId` (none: scratch) by a step with this
   * container config (the step's command, environment and the rest of its run config).
   */
  findChildImage(parentId: string | undefined, containerConfig: ContainerConfig): string | undefined {
    const key = cacheKey(containerConfig);
    const candidates = parentId ? this.images.children(parentId) : this.images.list().filter((i) => !i.parent);
    return candidates.find((i) => i.config.container_config && cacheKey(i.config.container_config) === key)?.id;
  }

  /** Tags an image with a name the caller has validated (a build's `-t`). */
  async tagReference(id: string, name: string): Promise<void> {
    await this.addTag(withDefaultTag(parseReference(name)), id);
  }

  // ---- plumbing ----

  private emit(action: string, id: string, name: string, labels?: Record<string, string>): void {
    const image = this.images.get(id);
    this.events.emit('image', action, id, { ...(labels ?? image?.config.config?.Labels ?? {}), name });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Runs fn with a pin function; everything pinned is released when it ends. */
  private async withPins<T>(fn: (pin: (key: string) => void) => Promise<T>): Promise<T> {
    const keys: string[] = [];
    const pin = (key: string) => {
      keys.push(key);
      this.pinned.set(key, (this.pinned.get(key) ?? 0) + 1);
    };
    this.active++;
    try {
      return await fn(pin);
    } finally {
      this.active--;
      for (const key of keys) {
        const n = (this.pinned.get(key) ?? 1) - 1;
        if (n <= 0) this.pinned.delete(key);
        else this.pinned.set(key, n);
      }
    }
  }
}

async function defaultPuller(ref: ImageRef): Promise<void> {
  const registry = ref.domain === 'docker.io' ? 'registry-1.docker.io' : ref.domain;
  log.debug('pull requested without a registry client', { ref: fullString(ref) });
  throw serverError(`Get "https://${registry}/v2/": berth cannot reach registries yet (no registry client)`);
}

/** The name an import or commit tags its new image with: repo[:tag], "latest" by default; none without a repo. */
function newImageReference(repo: string | undefined, tag: string | undefined): ImageRef | undefined {
  if (!repo) return undefined;
  let ref = parseReference(repo);
  if (tag) {
    if (!TAG_REGEXP.test(tag)) throw badParameter('invalid tag format');
    ref = { ...ref, tag };
  }
  return withDefaultTag(ref);
}

/** A run config's identity for the cache; the hostname is the step's container id, so it does not count. */
function cacheKey(config: ContainerConfig): string {
  const { Hostname: _hostname, ...rest } = normalizeRunConfig(config);
  return JSON.stringify(rest);
}

function isIdPrefix(id: string, ref: string): boolean {
  return id.startsWith(ref) || id.slice(7).startsWith(ref);
}

/** docker's progress bar text: "[=====>    ]  1.2MB/3.4MB". */
function progressBar(current: number, total: number): string {
  const human = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(3)}GB` : n >= 1e6 ? `${(n / 1e6).toFixed(3)}MB` : n >= 1e3 ? `${(n / 1e3).toFixed(2)}kB` : `${n}B`);
  if (total <= 0) return human(current);
  const width = 50;
  const filled = Math.floor((width * current) / total);
  const bar = '='.repeat(filled) + '>' + ' '.repeat(Math.max(0, width - filled - 1));
  return `[${bar}]  ${human(current)}/${human(total)}`;
}
