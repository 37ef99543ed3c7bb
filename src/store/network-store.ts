import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { NetworkResource } from '../api/types.js';
import { readJsonIfExists, writeJsonAtomic } from '../common/atomic-fs.js';
import { conflict, notFound } from '../common/errors.js';

/** A network as berth keeps it: the API's view without its live containers, plus its bridge. */
export interface NetworkRecord extends Omit<NetworkResource, 'Containers'> {
  /** The Linux bridge of a bridge network ('' for host and none). */
  bridge: string;
}

/** Networks on disk (`<root>/<id>.json`, written atomically) and in memory. */
export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>();

  constructor(readonly root: string) {}

  async load(): Promise<NetworkRecord[]> {
    await fs.mkdir(this.root, { recursive: true });
    for (const file of await fs.readdir(this.root)) {
      if (!file.endsWith('.json') || file.startsWith('.')) {
        await fs.rm(path.join(this.root, file), { force: true }); // temp files of an interrupted write
        continue;
      }
      const record = await readJsonIfExists<NetworkRecord>(path.join(this.root, file)).catch(() => undefined);
      if (record) this.byId.set(record.Id, record);
    }
    return this.all();
  }

  all(): NetworkRecord[] {
    return [...this.byId.values()];
  }

  /** By full id, exact name, then unique id prefix: dockerd's order. */
  find(ref: string): NetworkRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const named = this.all().find((n) => n.Name === ref);
    if (named) return named;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = this.all().filter((n) => n.Id.startsWith(ref));
    if (matches.length > 1) throw conflict(`network ${ref} is ambiguous (${matches.length} matches found based on ID prefix)`);
    return matches[0];
  }

  get(ref: string): NetworkRecord {
    const record = this.find(ref);
    if (!record) throw notFound(`network ${ref} not found`);
    return record;
  }

  async save(record: NetworkRecord): Promise<void> {
    await writeJsonAtomic(path.join(this.root, `${record.Id}.json`), record);
    this.byId.set(record.Id, record);
  }

  async remove(record: NetworkRecord): Promise<void> {
    await fs.rm(path.join(this.root, `${record.Id}.json`), { force: true });
    this.byId.delete(record.Id);
  }
}
