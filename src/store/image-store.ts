// The images: each is its config blob (in the content store; the id is the
// config's digest) plus a small record at <dataRoot>/images/db/<hex>.json holding
// what the config does not (parent image, last tag time). The record is written
// after the config blob and the layers it needs exist, and removed before they
// go, so a record on disk always names a complete image.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ImageConfigFile } from '../api/types.js';
import { digestHex, sha256 } from '../archive/digest.js';
import { readJsonIfExists, writeJsonAtomic } from '../common/atomic-fs.js';
import { log } from '../common/log.js';
import type { ContentStore } from './content-store.js';
import { chainIds } from './layer-store.js';

export interface ImageMeta {
  parent?: string;
  lastTagTime?: string;
}

export interface ImageRecord extends ImageMeta {
  id: string;
  raw: Buffer;
  config: ImageConfigFile;
  /** Chain ids of the layers, lowest first. */
  chainIDs: string[];
}

export class ImageStore {
  private readonly dbDir: string;
  private readonly images = new Map<string, ImageRecord>();

  constructor(
    imagesDir: string,
    private readonly content: ContentStore,
  ) {
    this.dbDir = path.join(imagesDir, 'db');
  }

  /** Loads the records; `valid` may reject an image (e.g. a layer is missing). */
  async init(valid: (image: ImageRecord) => boolean): Promise<void> {
    await fs.mkdir(this.dbDir, { recursive: true, mode: 0o700 });
    this.images.clear();
    for (const name of await fs.readdir(this.dbDir)) {
      const m = /^([0-9a-f]{64})\.json$/.exec(name);
      if (!m) {
        await fs.rm(path.join(this.dbDir, name), { force: true, recursive: true }); // temp files of interrupted writes
        continue;
      }
      const id = `sha256:${m[1]}`;
      try {
        const meta = (await readJsonIfExists<ImageMeta>(path.join(this.dbDir, name))) ?? {};
        const image = this.record(id, await this.content.read(id), meta);
        if (!valid(image)) throw new Error('a layer is missing');
        this.images.set(id, image);
      } catch (err) {
        log.warn('dropping broken image', { image: id, error: String(err) });
        await fs.rm(path.join(this.dbDir, name), { force: true });
      }
    }
  }

  private record(id: string, raw: Buffer, meta: ImageMeta): ImageRecord {
    const config = JSON.parse(raw.toString('utf8')) as ImageConfigFile;
    return { id, raw, config, chainIDs: chainIds(config.rootfs?.diff_ids ?? []), ...meta };
  }

  get(id: string): ImageRecord | undefined {
    return this.images.get(id);
  }

  list(): ImageRecord[] {
    return [...this.images.values()];
  }

  /** Image ids starting with a hex prefix (with or without "sha256:"). */
  search(prefix: string): string[] {
    const hex = prefix.replace(/^sha256:/, '');
    return [...this.images.keys()].filter((id) => id.slice(7).startsWith(hex));
  }

  children(id: string): ImageRecord[] {
    return this.list().filter((i) => i.parent === id);
  }

  /** Records an image whose config bytes are `raw`; its layers must already exist. */
  async create(raw: Buffer, meta: ImageMeta = {}): Promise<ImageRecord> {
    const id = sha256(raw);
    const existing = this.images.get(id);
    if (existing) {
      if (meta.parent && !existing.parent) await this.update(id, { parent: meta.parent });
      return existing;
    }
    await this.content.put(raw);
    await writeJsonAtomic(this.recordPath(id), meta);
    const image = this.record(id, raw, meta);
    this.images.set(id, image);
    return image;
  }

  async update(id: string, meta: Partial<ImageMeta>): Promise<void> {
    const image = this.images.get(id);
    if (!image) return;
    Object.assign(image, meta);
    await writeJsonAtomic(this.recordPath(id), { parent: image.parent, lastTagTime: image.lastTagTime });
  }

  async delete(id: string): Promise<void> {
    if (!this.images.delete(id)) return;
    await fs.rm(this.recordPath(id), { force: true });
  }

  private recordPath(id: string): string {
    return path.join(this.dbDir, `${digestHex(id)}.json`);
  }
}
