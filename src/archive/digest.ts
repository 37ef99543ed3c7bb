// sha256 digests computed while data streams past, so a layer's diffID is known
// the moment its last byte is written, without reading it twice.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  /** `sha256:<hex>`; valid once the stream has ended. */
  digest(): string {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
}

export const sha256 = (data: string | Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export const isDigest = (s: string) => /^sha256:[0-9a-f]{64}$/.test(s);

export const digestHex = (digest: string) => digest.replace(/^sha256:/, '');
