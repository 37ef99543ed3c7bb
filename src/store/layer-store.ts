// Unpacked layers under <dataRoot>/layers/<chainID hex>/: `diff/` (the files, in
// overlayfs form, shared read-only by every image and container that has the
// layer) and `layer.json` (diffID, parent chainID, size). A layer is unpacked
// once, into <dataRoot>/tmp, and renamed into place whole: a layer directory that
// exists is complete. Layers carry no reference count: the image store is the
// record of who uses them, and unreferenced layers are collected from it.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { digestHex } from '../archive/digest.js';
import { extractTar } from '../archive/extract.js';
import { readJsonIfExists } from '../common/atomic-fs.js';
import { log } from '../common/log.js';
import type { ContentStore } from './content-store.js';

export interface LayerInfo {
  chainID: string;
  diffID: string;
  parent: string | null;
  /** Bytes of the unpacked files, counted as docker's overlay2 driver counts them. */
  size: number;
}

/** chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)). */
export function chainIds(diffIDs: string[]): string[] {
  const out: string[] = [];
  for (const diffID of diffIDs) {
    const parent = out[out.length - 1];
    out.push(parent ? `sha256:${createHash('sha256').update(`${parent} ${diffID}`).digest('hex')}` : diffID);
  }
  return out;
}

export class LayerStore {
  readonly dir: string;
  private readonly layers = new Map<string, LayerInfo>();
  private readonly creating = new Map<string, Promise<LayerInfo>>();

  constructor(
    dataRoot: string,
    private readonly content: ContentStore,
    private readonly tmpDir: string,
  ) {
    this.dir = path.join(dataRoot, 'layers');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.layers.clear();
    for (const name of await fs.readdir(this.dir)) {
      const info = await readJsonIfExists<LayerInfo>(path.join(this.dir, name, 'layer.json')).catch(() => undefined);
      if (info && digestHex(info.chainID) === name) this.layers.set(info.chainID, info);
      else {
        log.warn('removing incomplete layer', { layer: name });
        await fs.rm(path.join(this.dir, name), { recursive: true, force: true });
      }
    }
  }

  get(chainID: string): LayerInfo | undefined {
    return this.layers.get(chainID);
  }

  list(): LayerInfo[] {
    return [...this.layers.values()];
  }

  diffDir(chainID: string): string {
    return path.join(this.dir, digestHex(chainID), 'diff');
  }

  /**
   * The layer of `diffID` on top of `parent`, unpacked from the layer tar blob
   * (which must be in the content store) unless it already exists.
   */
  create(diffID: string, parent: string | null): Promise<LayerInfo> {
    const chainID = parent ? chainIds([parent, diffID])[1] : diffID;
    const existing = this.layers.get(chainID);
    if (existing) return Promise.resolve(existing);
    let pending = this.creating.get(chainID);
    if (!pending) {
      pending = this.unpack(chainID, diffID, parent).finally(() => this.creating.delete(chainID));
      this.creating.set(chainID, pending);
    }
    return pending;
  }

  private async unpack(chainID: string, diffID: string, parent: string | null): Promise<LayerInfo> {
    const staging = path.join(this.tmpDir, `layer-${randomBytes(8).toString('hex')}`);
    const diff = path.join(staging, 'diff');
    try {
      await fs.mkdir(diff, { recursive: true, mode: 0o755 });
      await fs.chmod(staging, 0o700);
      await extractTar(this.content.readStream(diffID), diff, {
        whiteouts: 'overlay',
        onSkip: (name, reason) => log.warn('skipped layer entry', { layer: diffID, name, reason }),
      });
      const info: LayerInfo = { chainID, diffID, parent, size: await directorySize(diff) };
      await fs.writeFile(path.join(staging, 'layer.json'), JSON.stringify(info), { mode: 0o600 });
      await fs.rename(staging, path.join(this.dir, digestHex(chainID)));
      this.layers.set(chainID, info);
      return info;
    } catch (err) {
      await fs.rm(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** Removes a layer: renamed out of sight first, so it vanishes whole even if the daemon dies mid-way. */
  async delete(chainID: string): Promise<void> {
    if (!this.layers.delete(chainID)) return;
    const doomed = path.join(this.tmpDir, `gone-${randomBytes(8).toString('hex')}`);
    await fs.rename(path.join(this.dir, digestHex(chainID)), doomed);
    await fs.rm(doomed, { recursive: true, force: true });
  }
}

/**
 * Sizes as docker's overlay2 reports them: the apparent sizes of everything but
 * directories, each inode counted once (hardlinks).
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<number>();
  let total = 0;
  async function walk(d: string): Promise<void> {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const st = await fs.lstat(full);
      if (st.isDirectory()) {
        await walk(full);
        continue;
      }
      if (st.size === 0 || seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += st.size;
    }
  }
  await walk(dir);
  return total;
}
