// Tags and digests naming images: <dataRoot>/images/repositories.json, in docker's
// own layout ({"Repositories": {"busybox": {"busybox:latest": "sha256:..."}}}).
// Every change rewrites the file atomically; the in-memory map is the truth in between.
import * as path from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../common/atomic-fs.js';
import { familiarName, familiarString, parseReference, refKey, withDefaultTag, type ImageRef } from './image-reference.js';

interface RepositoriesFile {
  Repositories: Record<string, Record<string, string>>;
}

export class TagStore {
  private readonly file: string;
  /** familiar "name:tag" or "name@digest" → image id */
  private readonly refs = new Map<string, string>();

  constructor(imagesDir: string) {
    this.file = path.join(imagesDir, 'repositories.json');
  }

  async load(): Promise<void> {
    const data = await readJsonIfExists<RepositoriesFile>(this.file);
    this.refs.clear();
    for (const repo of Object.values(data?.Repositories ?? {})) {
      for (const [key, id] of Object.entries(repo)) this.refs.set(key, id);
    }
  }

  get(ref: ImageRef): string | undefined {
    return this.refs.get(refKey(ref));
  }

  /** Points a tag at an image; returns the id it pointed to before, if any. */
  async set(ref: ImageRef, id: string): Promise<string | undefined> {
    const key = refKey(ref);
    const old = this.refs.get(key);
    this.refs.set(key, id);
    await this.save();
    return old;
  }

  async delete(ref: ImageRef): Promise<boolean> {
    const existed = this.refs.delete(refKey(ref));
    if (existed) await this.save();
    return existed;
  }

  /** Drops every reference whose image fails the test (used at start-up for consistency). */
  async retain(keep: (id: string) => boolean): Promise<void> {
    let changed = false;
    for (const [key, id] of this.refs) {
      if (!keep(id)) {
        this.refs.delete(key);
        changed = true;
      }
    }
    if (changed) await this.save();
  }

  /** The references to an image, parsed, tags before digests, sorted. */
  referencesOf(id: string): ImageRef[] {
    const keys = [...this.refs].filter(([, v]) => v === id).map(([k]) => k);
    return keys.sort().map((k) => withDefaultTag(parseReference(k)));
  }

  all(): [ImageRef, string][] {
    return [...this.refs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, id]) => [parseReference(k), id]);
  }

  private saving: Promise<void> = Promise.resolve();

  /** Writes are queued so that an older snapshot never lands after a newer one. */
  private save(): Promise<void> {
    const run = this.saving.then(() => writeJsonAtomic(this.file, this.snapshot()));
    this.saving = run.catch(() => undefined);
    return run;
  }

  private snapshot(): RepositoriesFile {
    const out: RepositoriesFile = { Repositories: {} };
    for (const [key, id] of [...this.refs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const name = familiarName(parseReference(key));
      (out.Repositories[name] ??= {})[key] = id;
    }
    return out;
  }
}

export { familiarString };
