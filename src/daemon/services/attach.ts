import { SeqpacketConnection } from '../../kernel/seqpacket.js';
import { badParameter } from '../../common/errors.js';

/** conmon's attach socket prefixes each packet with the pipe it came from. */
const CONMON_STDOUT = 2;
const CONMON_STDERR = 3;
/** conmon reads stdin packets into an 8 KiB buffer: larger packets would be cut. */
const MAX_STDIN_PACKET = 8192;

export interface ClientStream {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  close(): void;
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Raw stream with a TTY; Docker's 8-byte-header frames without. */
  tty: boolean;
  detachKeys: number[];
}

/** Docker's multiplexed-stream frame: [stream, 0, 0, 0, size uint32 BE] + payload. */
export function frame(stream: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/**
 * Joins a client's hijacked connection to a container's (or exec's) conmon attach
 * socket until either side ends. Resolves when the session is over; `detached`
 * tells whether the client typed the detach keys. The caller closes the client
 * (an exec answers only once its exit code is known).
 */
export function pipeAttach(socketPath: string, client: ClientStream, opts: AttachOptions): Promise<{ detached: boolean }> {
  const conn = SeqpacketConnection.connect(socketPath);
  return new Promise((resolve) => {
    let done = false;
    const finish = (detached: boolean) => {
      if (done) return;
      done = true;
      conn.close();
      client.input.removeListener('data', onInput);
      resolve({ detached });
    };

    conn.on('packet', (packet: Buffer) => {
      const source = packet[0];
      const payload = packet.subarray(1);
      if (source === CONMON_STDOUT && opts.stdout) write(opts.tty ? payload : frame(1, payload));
      else if (source === CONMON_STDERR && opts.stderr) write(opts.tty ? payload : frame(2, payload));
    });
    conn.on('end', () => finish(false));
    const write = (data: Buffer) => {
      if (!done && data.length) client.output.write(data);
    };

    // As in dockerd, the detach keys work only with a TTY: binary stdin passes untouched.
    const detector = new DetachKeyDetector(opts.tty ? opts.detachKeys : []);
    const onInput = (chunk: Buffer) => {
      const { forward, detach } = detector.push(chunk);
      let room = true;
      for (let i = 0; i < forward.length; i += MAX_STDIN_PACKET) room = conn.send(forward.subarray(i, i + MAX_STDIN_PACKET));
      if (detach) finish(true);
      else if (!room) client.input.pause();
    };
    conn.on('drain', () => client.input.resume());
    if (opts.stdin) {
      client.input.on('data', onInput);
      client.input.once('end', () => {
        if (!done) conn.shutdownWrite();
      });
    }
    // The input may have been paused (by the request's body read, or the hijack): let it flow.
    client.input.resume();
    client.input.once('close', () => finish(false));
    client.input.once('error', () => finish(false));
  });
}

/** Holds back bytes that may begin the detach sequence until it is complete or broken. */
class DetachKeyDetector {
  private held: number[] = [];

  constructor(private readonly keys: number[]) {}

  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held.length]) {
        this.held.push(byte);
        if (this.held.length === this.keys.length) return { forward: Buffer.from(out), detach: true };
      } else {
        out.push(...this.held);
        this.held = [];
        if (byte === this.keys[0]) this.held.push(byte);
        else out.push(byte);
      }
    }
    return { forward: Buffer.from(out), detach: false };
  }
}

/** Parses Docker's detach key syntax: `ctrl-p,ctrl-q`, `a`, `ctrl-@`... */
export function parseDetachKeys(spec: string): number[] {
  if (spec === '') return [];
  return spec.split(',').map((key) => {
    const k = key.trim().toLowerCase();
    if (k.length === 1) return k.charCodeAt(0);
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(k);
    if (!m) throw badParameter(`Invalid detach keys (${spec}) provided`);
    const c = m[1];
    return c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 }[c]!;
  });
}

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';
