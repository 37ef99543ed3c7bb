// Content-addressed blobs under <dataRoot>/blobs/sha256/<hex>: image configs and
// the uncompressed layer tars (kept so that `save` reproduces the diffIDs exactly).
// A blob is written to <dataRoot>/tmp first and renamed into place once complete
// and hashed, so a blob file that exists is always whole and matches its name.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs, type ReadStream } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestStream, digestHex, isDigest, sha256 } from '../archive/digest.js';

export class ContentStore {
  readonly dir: string;

  constructor(
    dataRoot: string,
    /** Scratch space on the same file system, emptied at daemon start. */
    private readonly tmpDir: string,
  ) {
    this.dir = path.join(dataRoot, 'blobs', 'sha256');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  path(digest: string): string {
    if (!isDigest(digest)) throw new Error(`invalid digest ${digest}`);
    return path.join(this.dir, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    return fs.access(this.path(digest)).then(
      () => true,
      () => false,
    );
  }

  async size(digest: string): Promise<number> {
    return (await fs.stat(this.path(digest))).size;
  }

  read(digest: string): Promise<Buffer> {
    return fs.readFile(this.path(digest));
  }

  readStream(digest: string): ReadStream {
    return createReadStream(this.path(digest));
  }

  /** Stores bytes whose digest the caller knows or wants; returns the digest. */
  async put(data: Uint8Array): Promise<string> {
    const digest = sha256(data);
    if (await this.has(digest)) return digest;
    const tmp = this.tempPath();
    await fs.writeFile(tmp, data, { mode: 0o600 });
    await this.commit(tmp, digest);
    return digest;
  }

  /** Stores a stream; returns its digest and size. */
  async putStream(input: Readable): Promise<{ digest: string; size: number }> {
    const tmp = this.tempPath();
    const hasher = new DigestStream();
    try {
      await pipeline(input, hasher, createWriteStream(tmp, { mode: 0o600 }));
      const digest = hasher.digest();
      if (await this.has(digest)) await fs.rm(tmp, { force: true });
      else await this.commit(tmp, digest);
      return { digest, size: hasher.size };
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  async delete(digest: string): Promise<void> {
    await fs.rm(this.path(digest), { force: true });
  }

  async list(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  private tempPath(): string {
    return path.join(this.tmpDir, `blob-${randomBytes(8).toString('hex')}`);
  }

  private async commit(tmp: string, digest: string): Promise<void> {
    const handle = await fs.open(tmp, 'r');
    try {
      await handle.sync(); // the rename must not outrun the data
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, this.path(digest));
  }
}
