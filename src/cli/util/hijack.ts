// Copies between the terminal and a hijacked attach/exec connection, as docker's
// hijackedIOStreamer: output until the server closes; stdin until it ends, then a half-close;
// with a TTY, stdin in raw mode and the detach sequence ends the session.
import type { Hijacked } from '../../client/transport.js';
import { StdDemuxer } from '../../client/stdcopy.js';
import { DEFAULT_DETACH_KEYS, EscapeMatcher, detachKeyBytes } from './detach-keys.js';
import { setRawInput } from './tty.js';

export interface HijackStreams {
  stdin?: NodeJS.ReadStream | null;
  stdout?: NodeJS.WritableStream | null;
  stderr?: NodeJS.WritableStream | null;
  tty: boolean;
  detachKeys?: string;
}

export type StreamEnd = 'done' | 'detached';

export function streamHijacked({ socket }: Hijacked, io: HijackStreams): Promise<StreamEnd> {
  const { stdin, stdout, stderr, tty } = io;
  const restore = stdin && tty ? setRawInput(stdin) : () => {};
  let escape: EscapeMatcher | undefined;
  if (stdin && tty) {
    let keys = DEFAULT_DETACH_KEYS;
    try {
      if (io.detachKeys) keys = detachKeyBytes(io.detachKeys);
    } catch {
      // docker warns and falls back to the default sequence
    }
    escape = new EscapeMatcher(keys);
  }

  return new Promise<StreamEnd>((resolve, reject) => {
    let settled = false;
    const finish = (end: StreamEnd | Error) => {
      if (settled) return;
      settled = true;
      restore();
      if (stdin) {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
      }
      if (end === 'detached') socket.destroy();
      if (end instanceof Error) reject(end);
      else resolve(end);
    };

    const hasOutput = Boolean(stdout || stderr);
    if (hasOutput) {
      if (tty) {
        if (stdout) socket.pipe(stdout, { end: false });
        else socket.resume();
        socket.on('end', () => finish('done'));
      } else {
        const demuxer = new StdDemuxer(stdout ?? null, stderr ?? null);
        socket.pipe(demuxer);
        demuxer.on('finish', () => finish('done'));
        demuxer.on('error', finish);
      }
      socket.on('close', () => setImmediate(() => finish('done')));
    }
    socket.on('error', (err) => finish(err));

    const onData = (chunk: Buffer) => {
      const data = escape ? escape.feed(chunk) : chunk;
      if (data === 'detach') return finish('detached');
      if (data.length && !socket.write(data)) {
        stdin?.pause();
        socket.once('drain', () => stdin?.resume());
      }
    };
    const onEnd = () => {
      socket.end();
      if (!hasOutput) finish('done');
    };
    if (stdin) {
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    } else if (!hasOutput) {
      finish('done');
    }
  });
}
