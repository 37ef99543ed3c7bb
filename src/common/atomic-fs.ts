import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a file so that a crash at any instant leaves either the old or the new
 * content: write a temporary sibling, fsync it, rename over the target.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.tmp-${path.basename(file)}-${randomBytes(6).toString('hex')}`);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export const writeJsonAtomic = (file: string, value: unknown) => writeFileAtomic(file, JSON.stringify(value));

export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Removes leftovers of writes that a crash interrupted. */
export async function removeTempFiles(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith('.tmp-')).map((n) => fs.rm(path.join(dir, n), { force: true, recursive: true })));
}
