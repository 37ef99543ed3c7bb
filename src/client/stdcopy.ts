// Docker's multiplexed stream format: frames of an 8-byte header [stream, 0, 0, 0, size uint32 BE]
// followed by `size` bytes; stream 0 stdin, 1 stdout, 2 stderr, 3 a daemon-side error.
import { Writable } from 'node:stream';

const HEADER = 8;

/** A sink that splits a multiplexed stream into its stdout and stderr targets, honouring backpressure. */
export class StdDemuxer extends Writable {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly stdout: NodeJS.WritableStream | null, private readonly stderr: NodeJS.WritableStream | null) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const waits: Promise<void>[] = [];
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) break;
      const kind = this.pending[0];
      const payload = this.pending.subarray(HEADER, HEADER + size);
      this.pending = this.pending.subarray(HEADER + size);
      if (kind === 3) {
        done(new Error(`Error from daemon in stream: ${payload.toString()}`));
        return;
      }
      const target = kind === 2 ? this.stderr : kind === 0 || kind === 1 ? this.stdout : null;
      if (kind > 3) {
        done(new Error(`Unrecognized input header: ${kind}`));
        return;
      }
      if (target && !target.write(payload)) waits.push(new Promise((resolve) => target.once('drain', resolve)));
    }
    if (waits.length) void Promise.all(waits).then(() => done());
    else done();
  }
}
