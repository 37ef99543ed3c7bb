// Archives arrive plain or compressed (docker accepts gzip, bzip2, xz and zstd for
// import and load, and for layers inside a load archive). We sniff the magic bytes
// rather than trust a Content-Type.
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Reads at least `n` bytes (fewer at end of stream) and returns them with a stream that replays them. */
export async function peek(input: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value as Buffer;
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}

const TOOLS: Record<'bzip2' | 'xz' | 'zstd', string[]> = {
  bzip2: ['bzip2', '-dc'],
  xz: ['xz', '-dc'],
  zstd: ['zstd', '-dc'],
};

/** The stream, decompressed if it was compressed. Errors of the decompressor surface on the returned stream. */
export async function decompress(input: Readable): Promise<Readable> {
  const { head, stream } = await peek(input, 6);
  const kind = detectCompression(head);
  if (kind === 'none') return stream;
  if (kind === 'gzip') {
    const gunzip = createGunzip();
    stream.on('error', (err) => gunzip.destroy(err));
    return stream.pipe(gunzip);
  }
  const [cmd, ...args] = TOOLS[kind];
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  pipeline(stream, child.stdin).catch(() => {
    /* the exit status reports the failure */
  });
  child.stdout.pipe(out, { end: false });
  let exited: { code: number | null } | undefined;
  let drained = false;
  const finish = () => {
    if (!exited || !drained) return;
    if (exited.code === 0) out.end();
    else out.destroy(new Error(`${cmd}: ${stderr.trim() || `exit status ${exited.code}`}`));
  };
  child.stdout.on('end', () => {
    drained = true;
    finish();
  });
  child.on('error', (err) => out.destroy(err));
  child.on('close', (code) => {
    exited = { code };
    finish();
  });
  // A consumer that stops early must not leave the decompressor running.
  out.on('close', () => {
    if (!exited) child.kill();
  });
  return out;
}
